import { Processor } from '@nestjs/bullmq';
import type { RtQueue } from 'nestjs-pluto-rt';
import { PROGRESS_JOBS, type DemoJobData } from '../demos/demo-jobs.js';
import { DemoProcessor } from './demo-processor.js';

/** A job that reports how far it is: `progress()` items, shown in "replace" mode as a bar. */
@Processor(PROGRESS_JOBS, { concurrency: 50 })
export class ProgressProcessor extends DemoProcessor {
  protected async run(queue: RtQueue, { steps }: DemoJobData): Promise<void> {
    for (let batch = 1; batch <= steps; batch++) {
      await this.betweenSteps(queue);
      await queue.progress(batch, steps, { label: `Batch ${batch} of ${steps} processed` });
    }
    await queue.progress(steps, steps, { label: 'Done', done: true });
  }
}
