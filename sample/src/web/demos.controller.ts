import {
  Controller,
  Get,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Redirect,
  Render,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import { RtQueueNameError, RtQueueService } from 'nestjs-pluto-rt';
import { DASHBOARD_BLURB } from '../demos/dashboard.js';
import {
  DEMOS,
  findDemo,
  isTransport,
  TRANSPORT_LABELS,
  type Demo,
  type Transport,
} from '../demos/demo-catalog.js';
import { LIFE_JOBS } from '../demos/demo-jobs.js';
import { SAMPLE_CONFIG } from '../sample-config.module.js';
import type { SampleConfig } from '../sample-config.js';
import { DemoLauncher } from './demo-launcher.js';

/**
 * The index page (a button per demo and transport), the launch POST, and the results page.
 * View contexts avoid the names id, target, mode, count and interval: Handlebars passes the
 * surrounding context into partials, and the pluto_rt partials read those names.
 */
@Controller()
export class DemosController {
  constructor(
    private readonly rt: RtQueueService,
    private readonly launcher: DemoLauncher,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  @Get()
  @Render('index')
  index() {
    return { demos: DEMOS, dashboardBlurb: DASHBOARD_BLURB };
  }

  @Post('demos/:slug/:transport')
  @Redirect()
  async launch(@Param('slug') slug: string, @Param('transport') transport: string) {
    const { demo } = this.find(slug, transport);
    const { queue, jobId } = await this.launcher.launch(demo);
    // Post/redirect/get: reloading the results page re-opens the stream, not the job.
    const job = jobId === undefined ? '' : `?job=${encodeURIComponent(jobId)}`;
    return { url: `/demos/${demo.slug}/${transport}/${queue}${job}`, statusCode: 303 };
  }

  /**
   * Anyone holding the (unguessable) queue name may watch it, as in Pluto-RT. An app with
   * users would also check that the queue belongs to the session.
   */
  @Get('demos/:slug/:transport/:queue')
  results(
    @Param('slug') slug: string,
    @Param('transport') transport: string,
    @Param('queue') queue: string,
    @Query('job') jobId: unknown,
    @Res() res: Response,
  ): void {
    const { demo, via } = this.find(slug, transport);
    try {
      this.rt.get(queue);
    } catch (err) {
      if (err instanceof RtQueueNameError) throw new NotFoundException('No such queue');
      throw err;
    }
    const json = demo.itemTemplate ? {} : this.jsonUrls(queue);
    res.render(demo.view, {
      title: `${demo.title} over ${TRANSPORT_LABELS[via]}`,
      demo,
      transportLabel: TRANSPORT_LABELS[via],
      sse: via === 'sse',
      queue,
      swapMode: demo.swapMode,
      pollInterval: this.config.pollInterval,
      withoutHtmx: !demo.itemTemplate,
      ...this.cancelOf(demo, queue, jobId),
      ...json,
    });
  }

  /**
   * What the page's Cancel button cancels: a followed job (only its own: the job's queue
   * must be this page's), or the queue, whose handle's signal the processor watches.
   */
  private cancelOf(demo: Demo, queue: string, jobId: unknown) {
    if (demo.bullQueue !== LIFE_JOBS) return { cancelQueue: queue };
    const id = typeof jobId === 'string' ? jobId : '';
    const own = id !== '' && this.rt.jobQueueName({ queueName: LIFE_JOBS, id }) === queue;
    return own ? { jobQueue: LIFE_JOBS, jobId: id } : {};
  }

  /** The JSON flavour of both routes, for the page without htmx. */
  private jsonUrls(queue: string) {
    // Signed without an item template: these URLs deliver the raw items as JSON.
    const urls = this.rt.rtUrls(queue);
    return {
      jsonSseUrl: urls.sse,
      jsonPollUrl: urls.poll,
      pollMs: intervalMs(this.config.pollInterval),
    };
  }

  private find(slug: string, transport: string): { demo: Demo; via: Transport } {
    const demo = findDemo(slug);
    if (!demo || !isTransport(transport)) throw new NotFoundException('No such demo');
    return { demo, via: transport };
  }
}

function intervalMs(interval: string): number {
  return interval.endsWith('ms')
    ? Number(interval.slice(0, -2))
    : Number(interval.slice(0, -1)) * 1000;
}
