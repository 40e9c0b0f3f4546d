// Mounted by createControllers (./create-controllers.js): route prefix, guards and filters.
import {
  Injectable,
  Headers,
  Inject,
  Param,
  Query,
  Req,
  Sse,
  SseSignal,
  UseFilters,
  type MessageEvent,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { EMPTY, Observable } from 'rxjs';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RtQueueNotFoundError } from '../errors.js';
import { StreamHub } from '../reader/stream-hub.js';
import type { RtEntry } from '../store/rt-entry.js';
import { TemplateRegistry } from '../render/template-registry.js';
import { UrlSigner } from '../security/url-signer.js';
import { KeepaliveClock } from './keepalive-clock.js';
import { primeStream } from './prime-stream.js';
import { SocketPace } from './socket-pace.js';
import { pageElementOf, pageMajorOf } from './page-element.js';
import { BurstMerger } from './burst-merger.js';
import { closeEvent, noticeEvent, SseEvents, updatesReplaceRoute } from './sse-events.js';
import { streamView } from './stream-view.js';
import { SseRefusalFilter } from './sse-refusal.filter.js';
import { SseStreamLimit } from './sse-stream-limit.js';
import { WriteCoalescer } from './write-coalescer.js';
import { checkSignedRequest, parseCursor, type SignedQuery } from './stream-params.js';
import { type RtMetrics } from '../metrics/rt-metrics.js';
import { PLUTO_RT_METRICS } from '../pluto-rt.constants.js';
import { SSE } from '../metrics/transports.js';

/** Characters of events that may wait for a client that stopped reading before it is dropped. */
export const MAX_PENDING_CHARS_PER_STREAM = 1024 * 1024;

/** The query of a stream URL as a page element sends it: with its element's id. */
export interface SseQuery extends SignedQuery {
  el?: unknown;
  /** The page's htmx major (its partials say): how an item the job placed is swapped. */
  hx?: unknown;
}

/**
 * `GET {prefix}/sse/:queue`: the queue as Server-Sent Events, resumable with Last-Event-ID.
 * A queue not started yet (no push) is waited for. A queue that is gone is a 404; a page
 * element (`el`) gets every refusal as events instead (see SseRefusalFilter), and a notice
 * when its queue goes while it streams.
 */
@Injectable()
export class SseController {
  constructor(
    private readonly hub: StreamHub,
    private readonly signer: UrlSigner,
    private readonly templates: TemplateRegistry,
    private readonly events: SseEvents,
    private readonly keepalive: KeepaliveClock,
    private readonly coalescer: WriteCoalescer,
    private readonly limit: SseStreamLimit,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_METRICS) private readonly metrics: RtMetrics,
  ) {}

  @Sse('sse/:queue', { maxPendingDataLength: MAX_PENDING_CHARS_PER_STREAM })
  @UseFilters(SseRefusalFilter)
  async stream(
    @Param('queue') queue: string,
    @Query() query: SseQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @SseSignal() signal: AbortSignal,
    @Req() req: IncomingMessage,
  ): Promise<Observable<MessageEvent>> {
    const el = pageElementOf(query);
    const grant = checkSignedRequest(queue, query, this.signer);
    if (grant.format === 'html') {
      this.templates.assertUsable(grant.template);
      for (const route of grant.routes ?? []) this.templates.assertUsable(route.template);
    }
    const after = parseCursor(lastEventId, query.after);
    // A HEAD gets the stream's headers only: it reads nothing, and holds no slot.
    if (req.method === 'HEAD') return EMPTY;
    const release = this.limit.acquire(req.socket);
    // Every end of the response aborts the signal, even one whose stream never started.
    signal.addEventListener('abort', release, { once: true });
    const pace = new SocketPace(req.socket);
    let batches: Observable<RtEntry[]>;
    try {
      batches = await primeStream(this.hub.watch(queue, after, pace.pace), signal);
    } catch (err) {
      release();
      throw err;
    }

    const shown = streamView(grant, pageMajorOf(query.hx, this.config.htmx));
    return new Observable<MessageEvent>((subscriber) => {
      // Every event carries an id (else Nest numbers it, and that id would come back as an
      // invalid Last-Event-ID): a close event without an entry of its own gets the cursor.
      let lastId = after;
      const send = (entries: RtEntry[]): boolean => {
        lastId = entries[entries.length - 1]!.id;
        const events =
          grant.format === 'json'
            ? this.events.json(entries)
            : this.events.html(entries, shown.view, shown.key);
        const items = entries.length - (entries[entries.length - 1]!.isEnd ? 1 : 0);
        if (items > 0) this.metrics.count('delivered', items, SSE);
        const chars = charsOf(events);
        pace.handed(chars);
        this.coalescer.hold(req.socket, events.length, chars);
        for (const event of events) subscriber.next(event);
        return grant.format === 'html' && updatesReplaceRoute(entries, shown.view);
      };
      const merger = new BurstMerger(send);
      // The headers, this and the history leave in one write (not one each): a storm of
      // reconnecting pages is mostly this.
      this.coalescer.hold(req.socket, 2, 0);
      // Sets the browser's reconnect delay (its default is ~3 s). It carries the cursor as
      // its id, as Nest would number an event without one.
      subscriber.next({ id: after, retry: this.config.sseRetryMs, comment: 'open' });
      const ticks = this.keepalive.ticks.subscribe((tick) => subscriber.next(tick));
      const source = batches.subscribe({
        next: (batch) => merger.add(batch),
        error: (err: unknown) => {
          merger.flushNow();
          // Expired while open: tell the page to stop. Anything else: end the response and
          // let the browser reconnect with its Last-Event-ID.
          if (err instanceof RtQueueNotFoundError) {
            if (el !== undefined) subscriber.next(noticeEvent(el, 'gone'));
            subscriber.next(closeEvent('gone', lastId));
          }
          subscriber.complete();
        },
        complete: () => {
          merger.flushNow();
          subscriber.complete();
        },
      });
      return () => {
        release();
        merger.close();
        ticks.unsubscribe();
        source.unsubscribe();
      };
    });
  }
}

function charsOf(events: MessageEvent[]): number {
  let chars = 0;
  for (const event of events) chars += (event.data as string).length;
  return chars;
}
