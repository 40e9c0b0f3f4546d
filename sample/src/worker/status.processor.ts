import { Processor } from '@nestjs/bullmq';
import type { RtQueue } from 'nestjs-pluto-rt';
import { STATUS_JOBS, type DemoJobData } from '../demos/demo-jobs.js';
import { statusMessage, toastMessage } from '../demos/messages.js';
import { DemoProcessor } from './demo-processor.js';

/** Jobs that report status lines (list, reverse, toasts, two consumers, failure, JSON). */
@Processor(STATUS_JOBS, { concurrency: 50 })
export class StatusProcessor extends DemoProcessor {
  protected async run(queue: RtQueue, { steps, failAt, flavour }: DemoJobData): Promise<void> {
    for (let step = 1; step <= steps; step++) {
      await this.betweenSteps(queue);
      if (step === failAt)
        throw new Error(`the orders API answered 503 at step ${step} of ${steps}`);
      await queue.push(
        flavour === 'toast' ? toastMessage(step, steps) : statusMessage(step, steps),
      );
    }
  }
}
