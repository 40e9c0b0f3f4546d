import { Module } from '@nestjs/common';
import { JobsModule } from '../demos/jobs.module.js';
import { DemoLauncher } from './demo-launcher.js';
import { DemosController } from './demos.controller.js';

/** The pages. Producers only: the jobs run in the WorkerModule (here or in another process). */
@Module({
  imports: [JobsModule],
  controllers: [DemosController],
  providers: [DemoLauncher],
})
export class WebModule {}
