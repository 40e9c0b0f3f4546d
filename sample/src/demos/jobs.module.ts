import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { LIFE_JOBS, PROGRESS_JOBS, STATUS_JOBS } from './demo-jobs.js';

/**
 * The BullMQ queues, for the producers (web) and the processors (worker) alike:
 * @nestjs/bullmq starts the @Processor workers only where its queues are registered.
 */
@Module({
  imports: [
    BullModule.registerQueue({ name: STATUS_JOBS }, { name: PROGRESS_JOBS }, { name: LIFE_JOBS }),
  ],
  exports: [BullModule],
})
export class JobsModule {}
