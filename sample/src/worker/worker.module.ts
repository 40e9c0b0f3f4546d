import { type BeforeApplicationShutdown, Module } from '@nestjs/common';
import { JobsModule } from '../demos/jobs.module.js';
import { LifeProcessor } from './life.processor.js';
import { ProgressProcessor } from './progress.processor.js';
import { StatusProcessor } from './status.processor.js';

/** The BullMQ processors. Runs in the web process by default, or alone with `--worker`. */
@Module({
  imports: [JobsModule],
  providers: [StatusProcessor, ProgressProcessor, LifeProcessor],
})
export class WorkerModule implements BeforeApplicationShutdown {
  constructor(
    private readonly status: StatusProcessor,
    private readonly progress: ProgressProcessor,
    private readonly life: LifeProcessor,
  ) {}

  /**
   * Let running jobs finish (and complete their pluto-rt queues) before any module closes
   * its Redis connections; BullMQ's own shutdown hook then finds the workers closed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.status, this.progress, this.life].map(({ worker }) => worker.close()));
  }
}
