// Mounted by createControllers (../create-controllers.js): route prefix, guards and filters.
import {
  Get,
  Header,
  Inject,
  Injectable,
  Query,
  Req,
  Res,
  StreamableFile,
  UseFilters,
} from '@nestjs/common';
import { pollerReplacement } from '../../markup/poller.js';
import type { PlutoRtConfig } from '../../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG, PLUTO_RT_ROUTE_PREFIX } from '../../pluto-rt.constants.js';
import { TemplateRegistry } from '../../render/template-registry.js';
import { memberRoutes } from '../../security/group-grant.js';
import { groupUrl } from '../../security/stream-urls.js';
import { UrlSigner } from '../../security/url-signer.js';
import { CURSOR_HEADER, pollAnswer } from '../poll-answer.js';
import { parseCount } from '../poll-count.js';
import type { PollResponse } from '../poll.controller.js';
import { parsePlacement, type PlacementQuery } from '../poller-placement.js';
import { GroupPollerStopFilter, HTMX_STOP_POLLING } from '../poller-stop.filter.js';
import { single } from '../stream-params.js';
import { encodeGroupCursor } from './group-cursor.js';
import { parseGroupAfter, checkSignedGroup, type GroupQuery } from './group-params.js';
import { GroupPolls } from './group-polls.js';
import { type RtMetrics } from '../../metrics/rt-metrics.js';
import { PLUTO_RT_METRICS } from '../../pluto-rt.constants.js';
import { POLL } from '../../metrics/transports.js';

/**
 * `GET {prefix}/group/poll?q=..&after=<group cursor>`: what is new in every queue of a
 * signed group, in one answer (one poll loop for a whole dashboard). 204 when nothing moved,
 * 286 with the last items once every queue has ended (JSON: 200 with `complete: true`). An
 * htmx poller (`el`) gets its replacement; the next cursor is also in the Pluto-RT-Cursor
 * header. Never cached.
 */
@Injectable()
export class GroupPollController {
  constructor(
    private readonly signer: UrlSigner,
    private readonly templates: TemplateRegistry,
    private readonly polls: GroupPolls,
    @Inject(PLUTO_RT_ROUTE_PREFIX) private readonly routePrefix: string,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_METRICS) private readonly metrics: RtMetrics,
  ) {}

  @Get('group/poll')
  @Header('Cache-Control', 'no-store')
  @UseFilters(GroupPollerStopFilter)
  async poll(
    @Query() query: GroupQuery & PlacementQuery & { count?: unknown },
    @Res({ passthrough: true }) res: PollResponse,
    @Req() req: { method: string },
  ): Promise<StreamableFile | undefined> {
    const grant = checkSignedGroup(query, this.signer);
    const html = grant.format === 'html';
    if (html)
      for (const member of grant.members)
        for (const route of memberRoutes(member)) this.templates.assertUsable(route.template);
    const cursor = parseGroupAfter(undefined, query.after, grant.members.length);
    const count = parseCount(query.count);
    const placement = html ? parsePlacement(query, 'group', this.config.htmx) : undefined;
    // A HEAD checks the URL and reads nothing.
    if (req.method === 'HEAD') return undefined;

    const read = await this.polls.read(grant, cursor, count);
    if (!read.changed) {
      res.status(204);
      return undefined;
    }
    if (this.metrics.on) this.metrics.count('delivered', shownItems(grant, read.reads, html), POLL);
    res.header(CURSOR_HEADER, encodeGroupCursor(read.next));
    if (!html) return pollAnswer('json', JSON.stringify(this.polls.json(grant, read)));
    const parts = this.polls.html(grant, read, placement?.hx ?? this.config.htmx);
    if (placement) {
      const { el, every, hx } = placement;
      const next = read.complete
        ? undefined
        : groupUrl(this.routePrefix, 'poll', grant, single(query.sig, 'sig')!, {
            el,
            every,
            hx: String(hx),
            after: encodeGroupCursor(read.next),
            count: String(count),
          });
      parts.push(
        pollerReplacement(placement, 'append', { next }, grant.members.flatMap(memberRoutes)),
      );
    }
    res.status(read.complete ? HTMX_STOP_POLLING : 200);
    return pollAnswer('html', parts.join('\n'));
  }
}

/** Items the answer shows: every one, but only the latest of a replace-mode queue in HTML. */
function shownItems(
  grant: { members: Array<{ mode: string }> },
  reads: Array<{ index: number; items: unknown[] }>,
  html: boolean,
): number {
  let shown = 0;
  for (const { index, items } of reads) {
    shown +=
      html && grant.members[index]!.mode === 'replace' ? Math.min(1, items.length) : items.length;
  }
  return shown;
}
