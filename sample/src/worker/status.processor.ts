import { Inject } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { RtQueueService } from 'nestjs-pluto-rt';
import { STATUS_JOBS, type DemoJobData } from '../demos/demo-jobs.js';
import { statusMessage, toastMessage } from '../demos/messages.js';
import { SAMPLE_CONFIG } from '../sample-config.module.js';
import type { SampleConfig } from '../sample-config.js';
import { pause } from './pause.js';
import { reportingTo } from './reporting-to.js';

/** Jobs that report status lines (list, reverse, toasts, two consumers, failure, JSON). */
@Processor(STATUS_JOBS, { concurrency: 50 })
export class StatusProcessor extends WorkerHost {
  constructor(
    private readonly rt: RtQueueService,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {
    super();
  }

  async process(job: Job<DemoJobData>): Promise<void> {
    const { rtQueue, steps, failAt, flavour } = job.data;
    const queue = this.rt.get(rtQueue);
    await reportingTo(queue, async () => {
      for (let step = 1; step <= steps; step++) {
        await pause(this.config.stepMs);
        if (step === failAt)
          throw new Error(`the orders API answered 503 at step ${step} of ${steps}`);
        await queue.push(
          flavour === 'toast' ? toastMessage(step, steps) : statusMessage(step, steps),
        );
      }
    });
  }
}
