// Mounted by createControllers (./create-controllers.js): route prefix, guards and filters.
import {
  Get,
  Header,
  Inject,
  Injectable,
  NotFoundException,
  Param,
  Query,
  Req,
  Res,
  StreamableFile,
  UseFilters,
} from '@nestjs/common';
import { PLUTO_RT_CONFIG, PLUTO_RT_ROUTE_PREFIX } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { pollerReplacement } from '../markup/poller.js';
import { batchHtml } from '../markup/batch-html.js';
import { orderForMode } from '../markup/swap-mode.js';
import type { RtEntry } from '../store/rt-entry.js';
import { streamView } from './stream-view.js';
import { ItemRenderer } from '../render/item-renderer.js';
import { TemplateRegistry } from '../render/template-registry.js';
import { streamUrl } from '../security/stream-urls.js';
import { UrlSigner } from '../security/url-signer.js';
import { StreamStore } from '../store/stream-store.js';
import { parsePlacement, type PlacementQuery } from './poller-placement.js';
import { HTMX_STOP_POLLING, PollerStopFilter } from './poller-stop.filter.js';
import { START_ID } from '../store/stream-id.js';
import { CURSOR_HEADER, pollAnswer } from './poll-answer.js';
import { parseCount } from './poll-count.js';
import { checkSignedRequest, parseCursor, single, type SignedQuery } from './stream-params.js';
import { type RtMetrics } from '../metrics/rt-metrics.js';
import { PLUTO_RT_METRICS } from '../pluto-rt.constants.js';
import { POLL } from '../metrics/transports.js';

interface PollQuery extends SignedQuery, PlacementQuery {
  count?: unknown;
}

/** The part of a response object that both Express and Fastify have. */
export interface PollResponse {
  status(code: number): unknown;
  header(name: string, value: string): unknown;
}

/**
 * `GET {prefix}/poll/:queue?after=<cursor>`: the items after the cursor, without taking
 * them (every poller gets every item). 204 when nothing is new (or nothing was pushed
 * yet), 286 once complete, 404 once the completed queue has expired. An htmx poller (`el`
 * and its placement) gets its replacement with the next cursor; any answer with items
 * carries that cursor in the Pluto-RT-Cursor header too. Never cached.
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
  @Header('Cache-Control', 'no-store')
  @UseFilters(PollerStopFilter)
  async poll(
    @Param('queue') queue: string,
    @Query() query: PollQuery,
    @Res({ passthrough: true }) res: PollResponse,
    @Req() req: { method: string },
  ): Promise<StreamableFile | undefined> {
    const grant = checkSignedRequest(queue, query, this.signer);
    if (grant.format === 'html') {
      this.templates.assertUsable(grant.template);
      for (const route of grant.routes ?? []) this.templates.assertUsable(route.template);
    }
    const after = parseCursor(undefined, query.after);
    const count = parseCount(query.count);
    const placement =
      grant.format === 'html' ? parsePlacement(query, 'queue', this.config.htmx) : undefined;
    // A HEAD checks the URL and reads nothing.
    if (req.method === 'HEAD') return undefined;

    const read = await this.store.read(queue, after, count);
    // A poller that has seen items finds its queue without a stream: it expired (as SSE).
    const page = read === 'not-started' && after !== START_ID ? 'gone' : read;
    // (An htmx poller is stopped by PollerStopFilter instead: it would retry a 404 forever.)
    if (page === 'gone') throw new NotFoundException('No such queue: it has expired');
    // Not started: the job has not pushed yet, so there is nothing new (the signed URL's
    // expiry bounds how long a page polls for it: then PollerStopFilter stops it).
    if (page === 'not-started') {
      res.status(204);
      return undefined;
    }
    const { entries } = page;
    if (entries.length === 0) {
      res.status(204);
      return undefined;
    }
    const ending = entries.find((entry) => entry.isEnd)?.end;
    const complete = ending !== undefined;
    const cursor = entries.at(-1)!.id;
    const items = entries.filter((entry) => !entry.isEnd);
    if (items.length > 0) this.metrics.count('delivered', items.length, POLL);
    res.header(CURSOR_HEADER, cursor);
    if (grant.format === 'json') {
      const body = {
        items: orderForMode(items, grant.mode).map(jsonItem),
        cursor,
        complete,
        ...(ending ? { end: ending } : {}),
      };
      return pollAnswer('json', JSON.stringify(body));
    }
    const { view } = streamView(grant, placement?.hx ?? this.config.htmx);
    const html = [batchHtml(items, view, this.render)];
    if (placement) {
      const { el, target, every, hx } = placement;
      const next = complete
        ? undefined
        : streamUrl(this.routePrefix, 'poll', grant, single(query.sig, 'sig')!, {
            el,
            ...(target === undefined ? {} : { target }),
            every,
            hx: String(hx),
            after: cursor,
            count: String(count),
          });
      html.push(pollerReplacement(placement, grant.mode, { next, ending }, grant.routes));
    }
    res.status(complete ? HTMX_STOP_POLLING : 200);
    return pollAnswer('html', html.join('\n'));
  }

  private readonly render = (entry: RtEntry, template: string) =>
    this.renderer.render(entry, template);
}

/** An item of the JSON flavour's answer: its id and item, and where the job placed it. */
function jsonItem(entry: RtEntry): object {
  return entry.placement
    ? { id: entry.id, item: entry.item, placement: entry.placement }
    : { id: entry.id, item: entry.item };
}
