import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  RtError,
  RtOptionsError,
  RtQueueCompleteError,
  RtRedisUnavailableError,
} from '../errors.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG, PLUTO_RT_STREAM_STORE } from '../pluto-rt.constants.js';
import { RtQueueService } from '../rt-queue.service.js';
import type { StreamStore } from '../store/stream-store.js';
import { tellingOf, type FollowedJob, type JobEvent } from './job-transitions.js';
import { loadQueueEvents, type QueueEventsLike } from './load-bullmq.js';

/** The part of a BullMQ Queue (as `BullModule.registerQueue` provides it) the module uses. */
export interface BullQueue {
  name: string;
  opts: { connection: unknown; prefix?: string };
  getJob(id: string): Promise<FollowedJob | undefined>;
}

/** The events followed; `completed` and `removed` need no look at the job. */
const EVENTS = ['waiting', 'delayed', 'active', 'stalled', 'failed', 'completed', 'removed'];
const NO_LOOK = new Set(['completed', 'removed']);
/** Whether `e` ends a job's run (failed, removed, or waits to run again): after a cancel, the end. */
const endsRun = (e: JobEvent) =>
  e.event === 'failed' ||
  e.event === 'removed' ||
  e.event === 'delayed' ||
  (e.event === 'waiting' && e.prev === 'active');
export const CANCELLED_FROM_PAGE = 'Cancelled from the page';
/**
 * A telling that Redis did not take (a failover, a restart) is tried again: first after
 * RETRY_FIRST_MS, doubling up to RETRY_MAX_MS, for RETRY_FOR_MS in all. Telling twice is
 * harmless (told items land once, endings are idempotent); a lost ending is not: the page
 * would wait for its idle expiry.
 */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 4_000;
const RETRY_FOR_MS = 60_000;

/**
 * Follows the jobs of the BullMQ queues named by the `followJobs` option and tells each
 * job's queue (rt.forJob) what happens to it: waiting, started (attempt n of m), worker lost,
 * retrying, failed for good (the queue ends as failed), completed (it ends). One QueueEvents
 * reader per followed queue per process; with several processes, each item is told once and
 * in its place (StreamStore.pushTold), and endings are idempotent.
 */
@Injectable()
export class JobFollower implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly readers: QueueEventsLike[] = [];
  /** The connections made for the readers: BullMQ leaves a client it was handed open. */
  private readonly owned: Array<{ disconnect(): void }> = [];
  private readonly queues = new Map<string, BullQueue>();
  /** Per job, the telling under way: the next waits for it. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly log = new Logger('PlutoRt');
  /** Aborted at shutdown: a telling waiting to be tried again gives up. */
  private readonly closed = new AbortController();

  constructor(
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_STREAM_STORE) private readonly store: StreamStore,
    private readonly rt: RtQueueService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.followJobs.length === 0) return;
    const QueueEvents = await loadQueueEvents();
    for (const name of this.config.followJobs) {
      const queue = this.queueNamed(name);
      this.queues.set(name, queue);
      const { connection, prefix } = queue.opts;
      // A blocking reader needs a connection of its own.
      const own = hasDuplicate(connection) ? connection.duplicate() : connection;
      if (own !== connection) this.owned.push(own as { disconnect(): void });
      const reader = new QueueEvents(name, { connection: own, prefix });
      this.readers.push(reader);
      reader.on('error', (err) =>
        this.log.warn(
          `Following the jobs of ${name}: ${String((err as { message?: string }).message ?? err)}`,
        ),
      );
      for (const event of EVENTS)
        reader.on(event, (args) =>
          this.follow(queue, { ...args, event } as JobEvent & { jobId: string }),
        );
      await reader.waitUntilReady();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed.abort();
    await Promise.all(this.readers.splice(0).map((reader) => reader.close()));
    for (const client of this.owned.splice(0)) client.disconnect();
    await Promise.all(this.chains.values());
  }

  /** A followed BullMQ queue of the app, by name. */
  queue(name: string): BullQueue | undefined {
    return this.queues.get(name);
  }

  private queueNamed(name: string): BullQueue {
    try {
      return this.moduleRef.get<BullQueue>(`BullQueue_${name}`, { strict: false });
    } catch {
      throw new RtOptionsError(
        'followJobs',
        `names BullMQ queue "${name}", which the app does not register: add BullModule.registerQueue({ name: '${name}' })`,
      );
    }
  }

  private follow(queue: BullQueue, e: JobEvent & { jobId: string }): void {
    const key = `${queue.name}\0${e.jobId}`;
    const told = (this.chains.get(key) ?? Promise.resolve())
      .then(() => this.tellUntilTold(queue, e))
      .catch((err: unknown) => {
        if (!this.closed.signal.aborted)
          this.log.warn(
            `Could not tell job ${e.jobId} of ${queue.name} (${e.event}): ${String(err)}`,
          );
      });
    this.chains.set(key, told);
    void told.then(() => {
      if (this.chains.get(key) === told) this.chains.delete(key);
    });
  }

  /** Tells `e`, again while Redis (the module's, or BullMQ's) is out of reach. */
  private async tellUntilTold(queue: BullQueue, e: JobEvent & { jobId: string }): Promise<void> {
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
      try {
        return await this.tell(queue, e);
      } catch (err) {
        const transient = err instanceof RtRedisUnavailableError || !(err instanceof RtError);
        if (!transient || Date.now() + wait > giveUpAt || this.closed.signal.aborted) throw err;
        if (wait === RETRY_FIRST_MS)
          this.log.warn(
            `Could not tell job ${e.jobId} of ${queue.name} (${e.event}) yet: ${String(err)}; trying again`,
          );
        await sleep(wait, undefined, { signal: this.closed.signal });
      }
    }
  }

  private async tell(queue: BullQueue, e: JobEvent & { jobId: string }): Promise<void> {
    const job = NO_LOOK.has(e.event) ? undefined : await queue.getJob(e.jobId);
    // A start seen late, once the job moved on, would name the wrong attempt.
    if (e.event === 'active' && job?.isActive && !(await job.isActive())) return;
    const name = this.rt.jobQueueName({ queueName: queue.name, id: e.jobId });
    if (endsRun(e) && (await this.store.cancelAsked(name)))
      return this.endCancelled(name, e.event === 'failed' ? undefined : job);
    const { items = [], end } = tellingOf(e, job);
    try {
      for (const item of items) await this.store.pushTold(name, item.json, item.position);
      if (end) await this.rt.get(name).end(end.reason, end.message);
    } catch (err) {
      // The job's own code ended its queue first: nothing left to tell.
      if (!(err instanceof RtQueueCompleteError)) throw err;
    }
  }

  /** Ends a job's queue as cancelled; a retry of it (`job`, waiting or delayed) does not run. */
  private async endCancelled(name: string, job: FollowedJob | undefined): Promise<void> {
    await job?.remove?.().catch(() => undefined);
    await this.rt.get(name).end('cancelled', CANCELLED_FROM_PAGE);
  }
}

function hasDuplicate(connection: unknown): connection is { duplicate(): unknown } {
  return (
    typeof connection === 'object' &&
    connection !== null &&
    typeof (connection as { duplicate?: unknown }).duplicate === 'function'
  );
}
