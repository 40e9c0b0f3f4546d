import {
  Injectable,
  Get,
  Inject,
  NotFoundException,
  Param,
  Query,
  Res,
  UseFilters,
} from '@nestjs/common';
import { PLUTO_RT_CONFIG, PLUTO_RT_ROUTE_PREFIX } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { pollerReplacement } from '../markup/poller.js';
import { orderForMode } from '../markup/swap-mode.js';
import { ItemRenderer } from '../render/item-renderer.js';
import { TemplateRegistry } from '../render/template-registry.js';
import { streamUrl } from '../security/stream-urls.js';
import { UrlSigner } from '../security/url-signer.js';
import { StreamStore } from '../store/stream-store.js';
import { parsePlacement, type PlacementQuery } from './poller-placement.js';
import { HTMX_STOP_POLLING, PollerStopFilter } from './poller-stop.filter.js';
import { START_ID } from '../store/stream-id.js';
import { parseCount } from './poll-count.js';
import { checkSignedRequest, parseCursor, single, type SignedQuery } from './stream-params.js';
import { PLUTO_RT_METRICS, type RtMetrics } from '../metrics/rt-metrics.js';

interface PollQuery extends SignedQuery, PlacementQuery {
  count?: unknown;
}

/** The part of a response object that both Express and Fastify have. */
interface StatusResponse {
  status(code: number): unknown;
}

/**
 * `GET {prefix}/poll/:queue?after=<cursor>`: the items after the cursor, without taking
 * them (every poller gets every item). 204 when nothing is new (or nothing was pushed
 * yet), 286 once complete, 404 once the completed queue has expired.
 */
@Injectable()
export class PollController {
  constructor(
    private readonly store: StreamStore,
    private readonly signer: UrlSigner,
    private readonly templates: TemplateRegistry,
    private readonly renderer: ItemRenderer,
    @Inject(PLUTO_RT_ROUTE_PREFIX) private readonly routePrefix: string,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_METRICS) private readonly metrics: RtMetrics,
  ) {}

  @Get('poll/:queue')
  @UseFilters(PollerStopFilter)
  async poll(
    @Param('queue') queue: string,
    @Query() query: PollQuery,
    @Res({ passthrough: true }) res: StatusResponse,
  ): Promise<string | object | undefined> {
    const grant = checkSignedRequest(queue, query, this.signer);
    if (grant.format === 'html') this.templates.assertUsable(grant.template);
    const after = parseCursor(undefined, query.after);
    const count = parseCount(query.count);
    const placement =
      grant.format === 'html' ? parsePlacement(query, 'queue', this.config.htmx) : undefined;

    const read = await this.store.read(queue, after, count);
    // A poller that has seen items finds its queue without a stream: it expired (as SSE).
    const entries = read === 'not-started' && after !== START_ID ? 'gone' : read;
    // (An htmx poller is stopped by PollerStopFilter instead: it would retry a 404 forever.)
    if (entries === 'gone') throw new NotFoundException('No such queue: it has expired');
    // Not started: the job has not pushed yet, so there is nothing new (the signed URL's
    // expiry bounds how long a page polls for it: then PollerStopFilter stops it).
    if (entries === 'not-started') {
      res.status(204);
      return undefined;
    }
    const complete = entries.some((entry) => entry.isEnd);
    const items = orderForMode(
      entries.filter((entry) => !entry.isEnd),
      grant.mode,
    );
    const cursor = entries.at(-1)?.id ?? after;

    if (entries.length === 0) {
      res.status(204);
      return undefined;
    }
    if (items.length > 0) this.metrics.delivered('poll', items.length);
    if (grant.format === 'json') {
      return {
        items: items.map((entry) => ({ id: entry.id, item: entry.item })),
        cursor,
        complete,
      };
    }
    const html = items.map((entry) => this.renderer.render(entry, grant.template));
    let nextUrl: string | undefined;
    if (!complete) {
      const { el, target, every, hx } = placement!;
      nextUrl = streamUrl(this.routePrefix, 'poll', grant, single(query.sig, 'sig')!, {
        el,
        target: target!,
        every,
        hx: String(hx),
        after: cursor,
        count: String(count),
      });
    }
    html.push(pollerReplacement(placement!, grant.mode, { next: nextUrl }));
    res.status(complete ? HTMX_STOP_POLLING : 200);
    return html.join('\n');
  }
}
