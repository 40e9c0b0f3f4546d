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
import { Observable } from 'rxjs';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RtQueueNotFoundError } from '../errors.js';
import { StreamHub } from '../reader/stream-hub.js';
import type { RtEntry } from '../store/rt-entry.js';
import { TemplateRegistry } from '../render/template-registry.js';
import { UrlSigner } from '../security/url-signer.js';
import { KeepaliveClock } from './keepalive-clock.js';
import { primeStream } from './prime-stream.js';
import { pageElementOf } from './page-element.js';
import { closeEvent, noticeEvent, SseEvents } from './sse-events.js';
import { SseRefusalFilter } from './sse-refusal.filter.js';
import { SseStreamLimit } from './sse-stream-limit.js';
import { WriteCoalescer } from './write-coalescer.js';
import { checkSignedRequest, parseCursor, type SignedQuery } from './stream-params.js';
import { PLUTO_RT_METRICS, type RtMetrics } from '../metrics/rt-metrics.js';

/** Characters of events that may wait for a client that stopped reading before it is dropped. */
export const MAX_PENDING_CHARS_PER_STREAM = 1024 * 1024;

/** The query of a stream URL as a page element sends it: with its element's id. */
export interface SseQuery extends SignedQuery {
  el?: unknown;
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
    if (grant.format === 'html') this.templates.assertUsable(grant.template);
    const after = parseCursor(lastEventId, query.after);
    const release = this.limit.acquire(req.socket);
    // Every end of the response aborts the signal, even one whose stream never started.
    signal.addEventListener('abort', release, { once: true });
    let batches: Observable<RtEntry[]>;
    try {
      batches = await primeStream(this.hub.watch(queue, after), signal);
    } catch (err) {
      release();
      throw err;
    }

    return new Observable<MessageEvent>((subscriber) => {
      // Every event carries an id (else Nest numbers it, and that id would come back as an
      // invalid Last-Event-ID): a close event without an entry of its own gets the cursor.
      let lastId = after;
      // Sets the browser's reconnect delay (its default is ~3 s). It carries the cursor as
      // its id, as Nest would number an event without one.
      subscriber.next({ id: after, retry: this.config.sseRetryMs, comment: 'open' });
      const ticks = this.keepalive.ticks.subscribe((tick) => subscriber.next(tick));
      const source = batches.subscribe({
        next: (batch) => {
          if (batch.length > 0) lastId = batch[batch.length - 1]!.id;
          const events = this.events.fromBatch(batch, grant);
          const end = batch.length > 0 && batch[batch.length - 1]!.isEnd ? 1 : 0;
          if (events.length > end) this.metrics.delivered('sse', events.length - end);
          this.coalescer.hold(req.socket, events.length, charsOf(events));
          for (const event of events) subscriber.next(event);
        },
        error: (err: unknown) => {
          // Expired while open: tell the page to stop. Anything else: end the response and
          // let the browser reconnect with its Last-Event-ID.
          if (err instanceof RtQueueNotFoundError) {
            if (el !== undefined) subscriber.next(noticeEvent(el, 'gone'));
            subscriber.next(closeEvent('gone', lastId));
          }
          subscriber.complete();
        },
        complete: () => subscriber.complete(),
      });
      return () => {
        release();
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
