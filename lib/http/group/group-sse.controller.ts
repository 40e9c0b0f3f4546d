// Mounted by createControllers (../create-controllers.js): route prefix, guards and filters.
import {
  Headers,
  Inject,
  Injectable,
  Query,
  Req,
  Sse,
  SseSignal,
  UseFilters,
  type MessageEvent,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { EMPTY, type Observable } from 'rxjs';
import type { PlutoRtConfig } from '../../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG } from '../../pluto-rt.constants.js';
import { TemplateRegistry } from '../../render/template-registry.js';
import { memberRoutes } from '../../security/group-grant.js';
import { UrlSigner } from '../../security/url-signer.js';
import { pageElementOf, pageMajorOf } from '../page-element.js';
import { MAX_PENDING_CHARS_PER_STREAM } from '../sse.controller.js';
import { SseRefusalFilter } from '../sse-refusal.filter.js';
import { SseStreamLimit } from '../sse-stream-limit.js';
import { checkSignedGroup, parseGroupAfter, type GroupQuery } from './group-params.js';
import { GroupStreams } from './group-streams.js';

/**
 * `GET {prefix}/group/sse?q=..&q=..`: every queue of a signed group over one event stream
 * (one HTTP/1.1 connection for a whole dashboard), resumable with Last-Event-ID (or
 * `after`): the group's cursor, one part per queue. Counts as one stream for `maxStreams`.
 */
@Injectable()
export class GroupSseController {
  constructor(
    private readonly signer: UrlSigner,
    private readonly templates: TemplateRegistry,
    private readonly limit: SseStreamLimit,
    private readonly streams: GroupStreams,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
  ) {}

  @Sse('group/sse', { maxPendingDataLength: MAX_PENDING_CHARS_PER_STREAM })
  @UseFilters(SseRefusalFilter)
  async stream(
    @Query() query: GroupQuery & { el?: unknown; hx?: unknown },
    @Headers('last-event-id') lastEventId: string | undefined,
    @SseSignal() signal: AbortSignal,
    @Req() req: IncomingMessage,
  ): Promise<Observable<MessageEvent>> {
    pageElementOf(query); // a malformed el is a 400 (SseRefusalFilter reads a good one)
    const grant = checkSignedGroup(query, this.signer);
    if (grant.format === 'html')
      for (const member of grant.members)
        for (const route of memberRoutes(member)) this.templates.assertUsable(route.template);
    const cursor = parseGroupAfter(lastEventId, query.after, grant.members.length);
    // A HEAD gets the stream's headers only: it reads nothing, and holds no slot.
    if (req.method === 'HEAD') return EMPTY;
    const release = this.limit.acquire(req.socket);
    // Every end of the response aborts the signal, even one whose stream never started.
    signal.addEventListener('abort', release, { once: true });
    try {
      const major = pageMajorOf(query.hx, this.config.htmx);
      return await this.streams.open(grant, cursor, signal, req.socket, major);
    } catch (err) {
      release();
      throw err;
    }
  }
}
