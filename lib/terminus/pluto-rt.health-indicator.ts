import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { DEFAULT_HEALTH_TIMEOUT_MS, RtHealthCheck } from '../health/rt-health-check.js';

export interface PlutoRtHealthOptions {
  /** How long each PING may take before its connection counts as down, in ms. @default 1_000 */
  timeoutMs?: number;
}

/**
 * A Terminus health indicator for the module: `up` when each of its Redis connections
 * answers PING within `timeoutMs` (on a cluster, on every master), `down` otherwise; its
 * data lists each connection and node, and the open stream counts. Provide it in a module
 * that imports `TerminusModule` and `PlutoRtModule`.
 */
@Injectable()
export class PlutoRtHealthIndicator {
  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    private readonly health: RtHealthCheck,
  ) {}

  async isHealthy<const Key extends string = 'pluto-rt'>(
    key: Key = 'pluto-rt' as Key,
    options: PlutoRtHealthOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.healthIndicatorService.check(key);
    const report = await this.health.check(options.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS);
    const data = {
      connections: report.connections,
      sseStreams: report.sseStreams,
      streams: report.streams,
      queues: report.queues,
    };
    return report.healthy ? indicator.up(data) : indicator.down(data);
  }
}
