import { Inject, Injectable, type MessageEvent } from '@nestjs/common';
import type { Socket } from 'node:net';
import { Observable, type Subscription } from 'rxjs';
import { RtQueueNotFoundError } from '../../errors.js';
import type { PlutoRtConfig } from '../../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG } from '../../pluto-rt.constants.js';
import { StreamHub } from '../../reader/stream-hub.js';
import { memberRoutes, type GroupGrant } from '../../security/group-grant.js';
import type { HtmxMajor } from '../../markup/htmx-dialect.js';
import type { RtEntry } from '../../store/rt-entry.js';
import { KeepaliveClock } from '../keepalive-clock.js';
import { primeStream } from '../prime-stream.js';
import { SocketPace } from '../socket-pace.js';
import { WriteCoalescer } from '../write-coalescer.js';
import { DONE, encodeGroupCursor, type GroupCursor } from './group-cursor.js';
import { GroupEvents, type MemberBatch } from './group-events.js';
import { BurstMerger } from '../burst-merger.js';
import { updatesReplaceRoute } from '../sse-events.js';
import { streamView } from '../stream-view.js';
import { type RtMetrics } from '../../metrics/rt-metrics.js';
import { PLUTO_RT_METRICS } from '../../pluto-rt.constants.js';
import { SSE } from '../../metrics/transports.js';

type Watch = PromiseSettledResult<Observable<RtEntry[]> | undefined>;

/**
 * The events of a group over one response: every queue watched on the shared reader from
 * its own cursor, merged in arrival order. A queue that has not started is waited for
 * without holding up the others; one that is gone gets a notice and counts as ended; the
 * stream closes once every queue has ended.
 */
@Injectable()
export class GroupStreams {
  constructor(
    private readonly hub: StreamHub,
    private readonly events: GroupEvents,
    private readonly keepalive: KeepaliveClock,
    private readonly coalescer: WriteCoalescer,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_METRICS) private readonly metrics: RtMetrics,
  ) {}

  /**
   * Starts watching every queue, and resolves once each has answered (so that the route
   * can still refuse: Redis away is a 503 for the whole group). `cursor` is advanced as
   * events go out.
   */
  async open(
    grant: GroupGrant,
    cursor: GroupCursor,
    signal: AbortSignal,
    socket: Socket | undefined,
    major: HtmxMajor,
  ): Promise<Observable<MessageEvent>> {
    const pace = new SocketPace(socket);
    const watches: Watch[] = await Promise.allSettled(
      grant.members.map((member, index) =>
        cursor[index] === DONE
          ? Promise.resolve(undefined)
          : primeStream(this.hub.watch(member.queue, cursor[index]!, pace.pace), signal),
      ),
    );
    const failure = watches.find(
      (watch) => watch.status === 'rejected' && !(watch.reason instanceof RtQueueNotFoundError),
    );
    if (failure) {
      for (const watch of watches)
        if (watch.status === 'fulfilled') watch.value?.subscribe().unsubscribe();
      throw (failure as PromiseRejectedResult).reason;
    }
    const views = grant.members.map((member) =>
      streamView({ ...member, routes: memberRoutes(member) }, major),
    );
    return new Observable<MessageEvent>((subscriber) => {
      const send = (events: MessageEvent[]) => {
        if (events.length > 0) {
          let chars = 0;
          for (const event of events) chars += (event.data as string).length;
          pace.handed(chars);
          this.coalescer.hold(socket, events.length, chars);
          for (const event of events) subscriber.next(event);
        }
        if (cursor.every((part) => part === DONE)) {
          subscriber.next(this.events.close(cursor));
          subscriber.complete();
        }
      };
      const merger = new BurstMerger<GroupEntry>((arrived) => {
        const batches = byMember(arrived);
        const items = arrived.filter(({ entry }) => !entry.isEnd).length;
        if (items > 0) this.metrics.count('delivered', items, SSE);
        send(this.events.fromBatches(grant, batches, cursor, views));
        return (
          grant.format === 'html' &&
          batches.some(({ index, entries }) => updatesReplaceRoute(entries, views[index]!.view))
        );
      });
      // The headers, this and the history leave in one write (see SseController).
      this.coalescer.hold(socket, 2, 0);
      // Sets the browser's reconnect delay; carries the cursor, as Nest would number it.
      subscriber.next({
        id: encodeGroupCursor(cursor),
        retry: this.config.sseRetryMs,
        comment: 'open',
      });
      const ticks = this.keepalive.ticks.subscribe((tick) => subscriber.next(tick));
      const sources: Subscription[] = [];
      const gone = watches.flatMap((watch, index) => (watch.status === 'rejected' ? [index] : []));
      send(gone.map((index) => this.events.end(grant, index, 'gone', cursor)));
      watches.forEach((watch, index) => {
        if (watch.status !== 'fulfilled' || !watch.value || subscriber.closed) return;
        sources.push(
          watch.value.subscribe({
            next: (batch) => merger.add(batch.map((entry) => ({ index, entry }))),
            error: (err: unknown) => {
              merger.flushNow();
              // Gone while open: that queue ends. Anything else: end the response and let
              // the page reconnect with its cursor.
              if (err instanceof RtQueueNotFoundError)
                send([this.events.end(grant, index, 'gone', cursor)]);
              else subscriber.complete();
            },
            // Without its end marker (the process shuts down): the page reconnects elsewhere.
            complete: () => {
              merger.flushNow();
              if (cursor[index] !== DONE) subscriber.complete();
            },
          }),
        );
      });
      return () => {
        merger.close();
        ticks.unsubscribe();
        for (const source of sources) source.unsubscribe();
      };
    });
  }
}

/** An entry of one queue of the group, as it arrived. */
interface GroupEntry {
  index: number;
  entry: RtEntry;
}

/** Arrived entries as runs of one queue each, in arrival order. */
function byMember(arrived: GroupEntry[]): MemberBatch[] {
  const batches: MemberBatch[] = [];
  for (const { index, entry } of arrived) {
    const last = batches[batches.length - 1];
    if (last?.index === index) last.entries.push(entry);
    else batches.push({ index, entries: [entry] });
  }
  return batches;
}
