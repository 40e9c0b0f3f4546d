import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { PlutoRtHealthIndicator } from 'nestjs-pluto-rt/terminus';

/** `GET /health`: Terminus, with the module's Redis connections (503 when one is down). */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly plutoRt: PlutoRtHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.plutoRt.isHealthy('pluto-rt', { timeoutMs: 1_000 })]);
  }
}
