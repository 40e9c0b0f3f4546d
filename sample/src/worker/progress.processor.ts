import { Inject } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { RtQueueService } from 'nestjs-pluto-rt';
import { PROGRESS_JOBS, type DemoJobData } from '../demos/demo-jobs.js';
import { SAMPLE_CONFIG } from '../sample-config.module.js';
import type { SampleConfig } from '../sample-config.js';
import { pause } from './pause.js';
import { reportingTo } from './reporting-to.js';

/** A job that reports how far it is: `progress()` items, shown in "replace" mode as a bar. */
@Processor(PROGRESS_JOBS, { concurrency: 50 })
export class ProgressProcessor extends WorkerHost {
  constructor(
    private readonly rt: RtQueueService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {
    super();
  }

  async process(job: Job<DemoJobData>): Promise<void> {
    const { rtQueue, steps } = job.data;
    const queue = this.rt.get(rtQueue);
    await reportingTo(queue, async () => {
      for (let batch = 1; batch <= steps; batch++) {
        await pause(this.config.stepMs);
        await queue.progress(batch, steps, { label: `Batch ${batch} of ${steps} processed` });
      }
      await queue.progress(steps, steps, { label: 'Done', done: true });
    });
  }
}
