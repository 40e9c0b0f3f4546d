import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { RtQueueService } from 'nestjs-pluto-rt';
import type { Demo } from '../demos/demo-catalog.js';
import {
  LIFE_JOBS,
  PROGRESS_JOBS,
  STATUS_JOBS,
  type BullQueueName,
  type DemoJobData,
} from '../demos/demo-jobs.js';
import { failureMessage, queuedMessage } from '../demos/messages.js';

/** What a launch made: the queue the page streams, and for a followed job its id. */
export interface Launched {
  queue: string;
  /** Set for LIFE_JOBS, whose page can cancel the job itself. */
  jobId?: string;
}

/**
 * Starts a demo: a fresh pluto-rt queue and a BullMQ job that reports to it; or, for a job
 * the module follows (LIFE_JOBS), the job, whose queue is its own.
 */
@Injectable()
export class DemoLauncher {
  private readonly bull: Record<BullQueueName, Queue>;

  constructor(
    private readonly rt: RtQueueService,
    @InjectQueue(STATUS_JOBS) statusJobs: Queue,
    @InjectQueue(PROGRESS_JOBS) progressJobs: Queue,
    @InjectQueue(LIFE_JOBS) lifeJobs: Queue,
  ) {
    this.bull = {
      [STATUS_JOBS]: statusJobs,
      [PROGRESS_JOBS]: progressJobs,
      [LIFE_JOBS]: lifeJobs,
    };
  }

  async launch(
    demo: Pick<Demo, 'slug' | 'swapMode' | 'bullQueue' | 'job' | 'attempts'>,
  ): Promise<Launched> {
    if (demo.bullQueue === LIFE_JOBS) return this.launchFollowed(demo);
    return { queue: await this.launchWithQueue(demo) };
  }

  /** The job's page is told "waiting for a worker" by the module: nothing to push here. */
  private async launchFollowed(demo: Pick<Demo, 'slug' | 'job' | 'attempts'>): Promise<Launched> {
    const job = await this.bull[LIFE_JOBS].add(demo.slug, demo.job, {
      attempts: demo.attempts,
      backoff: { type: 'fixed', delay: 1_000 },
      removeOnComplete: 100,
      removeOnFail: 100,
    });
    return { queue: this.rt.jobQueueName(job), jobId: job.id! };
  }

  /** Resolves to the queue name the results page streams. */
  private async launchWithQueue(
    demo: Pick<Demo, 'slug' | 'swapMode' | 'bullQueue' | 'job'>,
  ): Promise<string> {
    const name = this.rt.createQueueName();
    const queue = this.rt.get(name);
    // Say "queued" at once: the page shows it while the job waits for a free worker.
    if (demo.swapMode === 'replace')
      await queue.progress(0, 100, { label: 'Queued: waiting for a worker' });
    else await queue.push(queuedMessage());
    const data: DemoJobData = { rtQueue: name, ...demo.job };
    try {
      await this.bull[demo.bullQueue].add(demo.slug, data, {
        removeOnComplete: 100,
        removeOnFail: 100,
      });
    } catch (err) {
      // No job will complete this queue: say why and complete it here.
      await queue.push(failureMessage(err));
      await queue.complete();
      throw err;
    }
    return name;
  }
}
