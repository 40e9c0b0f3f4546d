import {
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Post,
  Redirect,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { DASHBOARD_BLURB, DASHBOARD_PANELS } from '../demos/dashboard.js';
import { isTransport, TRANSPORT_LABELS, type Transport } from '../demos/demo-catalog.js';
import { SAMPLE_CONFIG } from '../sample-config.module.js';
import type { SampleConfig } from '../sample-config.js';
import { DemoLauncher } from './demo-launcher.js';

/**
 * The dashboard: eight jobs launched together, one page that follows all of them through
 * the group partial (one SSE connection, or one poller). The queue names travel in the URL,
 * joined by ".".
 */
@Controller('demos/dashboard')
export class DashboardController {
  constructor(
    private readonly launcher: DemoLauncher,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  @Post(':transport')
  @Redirect()
  async launch(@Param('transport') transport: string) {
    this.transportOf(transport);
    const launched = await Promise.all(
      DASHBOARD_PANELS.map((panel) => this.launcher.launch(panel)),
    );
    const names = launched.map(({ queue }) => queue);
    return { url: `/demos/dashboard/${transport}/${names.join('.')}`, statusCode: 303 };
  }

  @Get(':transport/:queues')
  results(
    @Param('transport') transport: string,
    @Param('queues') queues: string,
    @Res() res: Response,
  ): void {
    const via = this.transportOf(transport);
    const names = queues.split('.');
    if (names.length !== DASHBOARD_PANELS.length || !names.every(isQueueName))
      throw new NotFoundException('No such dashboard');
    res.render('demos/dashboard', {
      title: `Dashboard over ${TRANSPORT_LABELS[via]}`,
      blurb: DASHBOARD_BLURB,
      transportLabel: TRANSPORT_LABELS[via],
      transport: via,
      sse: via === 'sse',
      pollInterval: this.config.pollInterval,
      panels: DASHBOARD_PANELS.map((panel, i) => ({
        ...panel,
        queue: names[i],
        slot: `job-${panel.slug}`,
        target: `#job-${panel.slug}`,
        progress: panel.swapMode === 'replace',
      })),
    });
  }

  private transportOf(transport: string): Transport {
    if (!isTransport(transport)) throw new NotFoundException('No such demo');
    return transport;
  }
}

function isQueueName(name: string): boolean {
  return /^rtq_[\w-]{22}$/.test(name);
}
