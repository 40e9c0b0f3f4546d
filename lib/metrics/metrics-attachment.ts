import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { RtQueueService } from '../rt-queue.service.js';
import { CountingMetrics } from './counting-metrics.js';
import { type RtMetrics } from './rt-metrics.js';
import { PLUTO_RT_METRICS } from '../pluto-rt.constants.js';

/**
 * Feeds the app's gauges from `stats()` while it runs, and hands its last counts to the
 * shared counters when it shuts down (after its streams have closed).
 */
@Injectable()
export class MetricsAttachment implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PLUTO_RT_METRICS) private readonly metrics: RtMetrics,
    private readonly rt: RtQueueService,
  ) {}

  onModuleInit(): void {
    if (this.metrics instanceof CountingMetrics) this.metrics.stats = () => this.rt.stats();
  }

  onApplicationShutdown(): void {
    if (this.metrics instanceof CountingMetrics) this.metrics.detach();
  }
}
