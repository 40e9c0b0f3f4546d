import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PlutoRtHealthIndicator } from 'nestjs-pluto-rt/terminus';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

/** The routes an operator scrapes: `/health` (Terminus) and `/metrics` (Prometheus). */
@Module({
  imports: [TerminusModule],
  controllers: [HealthController, MetricsController],
  providers: [PlutoRtHealthIndicator],
})
export class OpsModule {}
