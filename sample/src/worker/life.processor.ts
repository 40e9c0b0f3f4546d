import { Inject } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import { RtQueueService, type RtQueue } from 'nestjs-pluto-rt';
import { LIFE_JOBS, type DemoJobData } from '../demos/demo-jobs.js';
import { statusMessage } from '../demos/messages.js';
import { SAMPLE_CONFIG } from '../sample-config.module.js';
import type { SampleConfig } from '../sample-config.js';
import { pause } from './pause.js';

/**
 * How long a job's lock lasts, and how often a worker looks for jobs whose lock expired
 * (BullMQ's defaults are 30 s each): a lost worker is noticed within about twice this.
 */
export const LOCK_MS = 5_000;

/**
 * Jobs the module follows (`followJobs`): each writes to its own queue (`rt.forJob(job)`),
 * and says nothing of its attempts, failures or lost workers: the module tells the page.
 */
@Processor(LIFE_JOBS, { concurrency: 10, lockDuration: LOCK_MS, stalledInterval: LOCK_MS })
export class LifeProcessor extends WorkerHost {
  constructor(
    private readonly rt: RtQueueService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {
    super();
  }

  async process(job: Job<DemoJobData>, _token?: string, signal?: AbortSignal): Promise<void> {
    const queue = this.rt.forJob(job);
    const { steps, failAt, loseWorkerAt } = job.data;
    for (let step = 1; step <= steps; step++) {
      await pause(this.config.stepMs);
      // Cancelled from the page (BullMQ's signal): no retry; the module ends the queue.
      if (signal?.aborted) throw new UnrecoverableError('Cancelled from the page');
      if (step === failAt) throw new Error(`the orders API answered 503 at step ${step}`);
      if (step === loseWorkerAt && job.attemptsMade === 0 && !job.stalledCounter)
        await this.loseWorker(queue);
      await queue.push(statusMessage(step, steps));
    }
    await queue.complete();
  }

  /** Dies as an out-of-memory kill would: no shutdown hook, no lock released. */
  private async loseWorker(queue: RtQueue): Promise<void> {
    if (this.config.role === 'worker') process.kill(process.pid, 'SIGKILL');
    // Here the process serves the page too: killing it would end the demo.
    await queue.push({
      level: 'warning',
      text: 'This worker would die here: run `npm run sample:web` and two `npm run sample:worker` to see it',
    });
  }
}
