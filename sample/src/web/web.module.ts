import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { JobsModule } from '../demos/jobs.module.js';
import { DashboardController } from './dashboard.controller.js';
import { DemoLauncher } from './demo-launcher.js';
import { DemosController } from './demos.controller.js';
import { HtmxMajorMiddleware, HtmxSwitchController } from './htmx-major.js';

/** The pages. Producers only: the jobs run in the WorkerModule (here or in another process). */
@Module({
  imports: [JobsModule],
  // The dashboard's routes before the demos' `demos/:slug/...`, which would take them.
  controllers: [DashboardController, DemosController, HtmxSwitchController],
  providers: [DemoLauncher],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HtmxMajorMiddleware).forRoutes(DashboardController, DemosController);
  }
}
