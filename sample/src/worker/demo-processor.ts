import { Inject, Injectable } from '@nestjs/common';
import { WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { RtQueueService, type RtQueue } from 'nestjs-pluto-rt';
import type { DemoJobData } from '../demos/demo-jobs.js';
import { SAMPLE_CONFIG } from '../sample-config.module.js';
import type { SampleConfig } from '../sample-config.js';
import { pause } from './pause.js';
import { reportingTo } from './reporting-to.js';

/**
 * What every demo job does: its work pushes to the pluto-rt queue named in the job data,
 * through reportingTo(), so a failure is reported there and the queue always ends. The
 * page's Cancel button aborts the queue's signal (`queue.signal`), on whichever worker runs
 * the job: the work stops at its next step.
 */
@Injectable()
export abstract class DemoProcessor extends WorkerHost {
  constructor(
    private readonly rt: RtQueueService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {
    super();
  }

  async process(job: Job<DemoJobData>): Promise<void> {
    const queue = this.rt.get(job.data.rtQueue!);
    await reportingTo(queue, () => this.run(queue, job.data));
  }

  /** The job's work: the messages it pushes to `queue`. */
  protected abstract run(queue: RtQueue, data: DemoJobData): Promise<void>;

  /** Stands in for a step of real work; throws RtCancelledError once the page cancelled. */
  protected async betweenSteps(queue: RtQueue): Promise<void> {
    await pause(this.config.stepMs);
    queue.signal.throwIfAborted();
  }
}
