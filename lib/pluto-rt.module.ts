import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RtHealthCheck } from './health/rt-health-check.js';
import { ConfigurableModuleClass } from './pluto-rt.module-definition.js';
import { PLUTO_RT_PROVIDERS } from './pluto-rt.providers.js';
import { RtQueueService } from './rt-queue.service.js';

/**
 * Live results of background work: `PlutoRtModule.forRoot({ secret, redis })` (or
 * `forRootAsync`) provides RtQueueService and mounts the SSE, polling and asset routes
 * under `routePrefix`.
 */
// DiscoveryModule: a cancel finds the app's BullMQ workers (see jobs/job-cancels).
@Module({
  imports: [DiscoveryModule],
  providers: PLUTO_RT_PROVIDERS,
  exports: [RtQueueService, RtHealthCheck],
})
export class PlutoRtModule extends ConfigurableModuleClass {}
