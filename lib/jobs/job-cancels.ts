import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { RtError, RtQueueCompleteError, RtRedisUnavailableError } from '../errors.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG, PLUTO_RT_STREAM_STORE } from '../pluto-rt.constants.js';
import { RtQueueService } from '../rt-queue.service.js';
import type { StreamStore } from '../store/stream-store.js';
import { CancelChannel } from './cancel-channel.js';
import { cancelling, queueCancelling } from './job-items.js';
import { CANCELLED_FROM_PAGE, JobFollower } from './job-follower.js';
import type { FollowedJob } from './job-transitions.js';

/** What a cancel did: removed a job that had not run, asked a running one to stop, or nothing. */
export type CancelOutcome = 'cancelled' | 'cancel-requested' | 'ended' | 'not-followed';

/** A BullMQ Worker as @nestjs/bullmq's WorkerHost holds it: what a cancel needs of it. */
interface CancellableWorker {
  name: string;
  cancelJob(jobId: string, reason?: string): boolean;
}

/** States of a job that has not started: removing it is its cancel. */
const NOT_STARTED = new Set(['waiting', 'delayed', 'prioritized', 'waiting-children', 'paused']);

/**
 * Cancels work from its page: followed BullMQ jobs, and queues whose handle holds a signal
 * (RtQueue.signal, see cancelQueue). A job that has not run is removed and its queue ends
 * as cancelled. A running one is asked to stop where it runs: the request goes to every
 * process over one Redis channel, and each hands it to its own BullMQ workers of that queue
 * (`worker.cancelJob`, which aborts the AbortSignal BullMQ passes to the processor, from
 * BullMQ 5.64); the page says "cancelling" until the job stops, then the follower ends the
 * queue as cancelled (or as completed, if the job finished anyway).
 */
@Injectable()
export class JobCancels implements OnApplicationBootstrap {
  private readonly log = new Logger('PlutoRt');

  constructor(
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_STREAM_STORE) private readonly store: StreamStore,
    private readonly follower: JobFollower,
    private readonly rt: RtQueueService,
    private readonly discovery: DiscoveryService,
    private readonly channel: CancelChannel,
  ) {
    channel.onCancel((asked) => {
      if ('job' in asked) this.deliver(asked.job, asked.id);
    });
  }

  onApplicationBootstrap(): void {
    // Not awaited: Redis away at boot must not hold the app's start.
    if (this.config.followJobs.length > 0) void this.channel.listen();
  }

  /**
   * Cancels job `id` of BullMQ queue `bullQueue`, whose queue is `name`. Redis out of reach
   * (the module's commands, or BullMQ's) is an RtRedisUnavailableError: a 503, not a 500.
   */
  async cancel(name: string, bullQueue: string, id: string): Promise<CancelOutcome> {
    try {
      return await this.cancelJob(name, bullQueue, id);
    } catch (err) {
      if (err instanceof RtError) throw err;
      throw new RtRedisUnavailableError('cancel', err);
    }
  }

  private async cancelJob(name: string, bullQueue: string, id: string): Promise<CancelOutcome> {
    const queue = this.follower.queue(bullQueue);
    if (!queue) return 'not-followed';
    const job = (await queue.getJob(id)) as FollowedJob | undefined;
    const state = job && (await job.getState?.());
    if (!job || !state || !(NOT_STARTED.has(state) || state === 'active')) return 'ended';
    // Marked first: the follower, hearing the job removed or stopped, then ends it as cancelled.
    await this.store.markCancel(name);
    if (NOT_STARTED.has(state)) {
      const removed = await job.remove?.().then(
        () => true,
        () => false, // it started meanwhile (locked): cancel it as a running job
      );
      if (removed) {
        await this.rt.get(name).end('cancelled', CANCELLED_FROM_PAGE);
        return 'cancelled';
      }
    }
    const told = cancelling(job);
    await this.store.pushTold(name, told.json, told.position).catch(() => undefined);
    await this.channel.publish({ job: bullQueue, id });
    return 'cancel-requested';
  }

  /**
   * Cancels the work on queue `name` that no BullMQ job runs: the process whose handle holds
   * the queue's signal aborts it (RtQueue.signal), and the page says "cancelling" until the
   * work ends its queue. 'ended' when the queue has ended.
   */
  async cancelQueue(name: string): Promise<CancelOutcome> {
    try {
      await this.store.markCancel(name);
      const told = queueCancelling();
      await this.store.pushTold(name, told.json, told.position);
      await this.channel.publish({ queue: name });
      return 'cancel-requested';
    } catch (err) {
      if (err instanceof RtQueueCompleteError) return 'ended';
      if (err instanceof RtError) throw err;
      throw new RtRedisUnavailableError('cancel', err);
    }
  }

  /** A cancel asked somewhere: this process's workers of that queue stop the job if they run it. */
  private deliver(bullQueue: string, id: string): void {
    for (const worker of this.workersOf(bullQueue)) {
      if (worker.cancelJob(id, CANCELLED_FROM_PAGE))
        this.log.log(`Cancelled job ${id} of ${bullQueue} (asked from its page)`);
    }
  }

  /** This process's BullMQ workers of queue `name`: those of @nestjs/bullmq's WorkerHosts. */
  private workersOf(name: string): CancellableWorker[] {
    const workers: CancellableWorker[] = [];
    for (const { instance } of this.discovery.getProviders()) {
      const worker = workerOf(instance);
      if (worker?.name === name) workers.push(worker);
    }
    return workers;
  }
}

/** The worker a WorkerHost holds (its getter throws before it is made), or undefined. */
function workerOf(instance: unknown): CancellableWorker | undefined {
  if (typeof instance !== 'object' || instance === null || !('worker' in instance))
    return undefined;
  try {
    const worker = (instance as { worker: unknown }).worker as Partial<CancellableWorker>;
    return typeof worker?.cancelJob === 'function' && typeof worker.name === 'string'
      ? (worker as CancellableWorker)
      : undefined;
  } catch {
    return undefined;
  }
}
