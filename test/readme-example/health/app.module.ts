import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PlutoRtModule } from 'nestjs-pluto-rt';
import { PlutoRtHealthIndicator } from 'nestjs-pluto-rt/terminus';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

@Module({
  imports: [
    TerminusModule,
    PlutoRtModule.forRoot({ secret: process.env.PLUTO_RT_SECRET, metrics: true }),
  ],
  controllers: [HealthController, MetricsController],
  providers: [PlutoRtHealthIndicator],
})
export class AppModule {}
