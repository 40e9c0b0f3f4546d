import { Get, Inject, Injectable, Query, Res, UseFilters } from '@nestjs/common';
import { pollerReplacement } from '../../markup/poller.js';
import type { PlutoRtConfig } from '../../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG, PLUTO_RT_ROUTE_PREFIX } from '../../pluto-rt.constants.js';
import { TemplateRegistry } from '../../render/template-registry.js';
import { groupUrl } from '../../security/stream-urls.js';
import { UrlSigner } from '../../security/url-signer.js';
import { parseCount } from '../poll-count.js';
import { parsePlacement, type PlacementQuery } from '../poller-placement.js';
import { GroupPollerStopFilter, HTMX_STOP_POLLING } from '../poller-stop.filter.js';
import { single } from '../stream-params.js';
import { encodeGroupCursor } from './group-cursor.js';
import { parseGroupAfter, checkSignedGroup, type GroupQuery } from './group-params.js';
import { GroupPolls } from './group-polls.js';
import { PLUTO_RT_METRICS, type RtMetrics } from '../../metrics/rt-metrics.js';

interface StatusResponse {
  status(code: number): unknown;
}

/**
 * `GET {prefix}/group/poll?q=..&after=<group cursor>`: what is new in every queue of a
 * signed group, in one answer (one poll loop for a whole dashboard). 204 when nothing moved,
 * 286 with the last items once every queue has ended (JSON: 200 with `complete: true`).
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
  @UseFilters(GroupPollerStopFilter)
  async poll(
    @Query() query: GroupQuery & PlacementQuery & { count?: unknown },
    @Res({ passthrough: true }) res: StatusResponse,
  ): Promise<string | object | undefined> {
    const grant = checkSignedGroup(query, this.signer);
    const html = grant.format === 'html';
    if (html) for (const member of grant.members) this.templates.assertUsable(member.template);
    const cursor = parseGroupAfter(undefined, query.after, grant.members.length);
    const count = parseCount(query.count);
    const placement = html ? parsePlacement(query, 'group', this.config.htmx) : undefined;

    const read = await this.polls.read(grant, cursor, count);
    if (!read.changed) {
      res.status(204);
      return undefined;
    }
    if (this.metrics.on) this.metrics.delivered('poll', shownItems(grant, read.reads, html));
    if (!html) return this.polls.json(grant, read);
    const { el, every, hx } = placement!;
    const next = read.complete
      ? undefined
      : groupUrl(this.routePrefix, 'poll', grant, single(query.sig, 'sig')!, {
          el,
          every,
          hx: String(hx),
          after: encodeGroupCursor(read.next),
          count: String(count),
        });
    res.status(read.complete ? HTMX_STOP_POLLING : 200);
    return [
      ...this.polls.html(grant, read),
      pollerReplacement(placement!, 'append', { next }),
    ].join('\n');
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
