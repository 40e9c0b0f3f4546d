import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Observable } from 'rxjs';
import { RtQueueNotFoundError, RtRedisUnavailableError } from '../errors.js';
import { PLUTO_RT_CONFIG, PLUTO_RT_METRICS } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RedisConnections } from '../store/redis-connections.js';
import type { RtEntry } from '../store/rt-entry.js';
import { START_ID } from '../store/stream-id.js';
import { StreamStore } from '../store/stream-store.js';
import { ChannelSubscriptions } from './channel-subscriptions.js';
import { sweepExpired } from './expiry-sweep.js';
import { PageReads } from './page-reads.js';
import { DeferredCatchUps } from './deferred-catch-ups.js';
import { parsePublished, type QueueTap } from './queue-tap.js';
import { QueueTaps, type RtHubStats } from './queue-taps.js';
import { StreamListener, type Pace } from './stream-listener.js';

export type { RtHubStats } from './queue-taps.js';
import type { RtMetrics } from '../metrics/rt-metrics.js';

/** Entries of a catch-up page at most (PAGE_BYTES bounds its size). */
const PAGE_ENTRIES = 1_000;

/**
 * The shared reader: one Redis connection (one per master on a cluster) subscribed to the
 * channel of every queue that has an open stream in this process. Each push publishes its
 * entry (and the id before it), which is fanned out to all listeners of the queue as the
 * same object. A listener that joins late, misses an entry or outlives a reconnect, a slot
 * migration or a failover reads the gap from the stream. An idle open stream costs Redis
 * nothing.
 */
@Injectable()
export class StreamHub implements OnModuleDestroy {
  private readonly logger = new Logger('PlutoRt');
  private readonly subscriptions: ChannelSubscriptions;
  private readonly taps: QueueTaps;
  private readonly pages: PageReads;
  private readonly deferred: DeferredCatchUps;
  private readonly sweepTimer: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly store: StreamStore,
    connections: RedisConnections,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_METRICS) metrics: RtMetrics,
  ) {
    this.subscriptions = new ChannelSubscriptions(
      connections,
      (channel, message) => this.onMessage(channel, message),
      () => this.resync(),
      () => metrics.count('readerReconnects'),
      config.commandTimeoutMs,
      (channel) => this.wants(channel),
    );
    this.taps = new QueueTaps(this.subscriptions, connections, (name) => store.keys.channel(name));
    this.pages = new PageReads((queue, after, sending) => {
      metrics.count('catchUpReads');
      return store.read(queue, after, PAGE_ENTRIES, sending);
    });
    this.deferred = new DeferredCatchUps(connections.command, (tap, listeners) =>
      this.retry(tap, listeners),
    );
    this.sweepTimer = setInterval(() => void this.sweep(), config.sweepIntervalMs).unref();
  }

  /**
   * The entries of queue `name` after `after`, in batches: the first batch is the history
   * (possibly empty; a long one comes page by page, the next once `pace` resolves), the next
   * ones arrive live; completes after the end marker. A queue that has not started yet is
   * waited for (up to `startTimeoutSeconds`). Errors with RtQueueNotFoundError when the
   * queue is gone (completed and expired, or expired while open, or never started), and with
   * RtRedisUnavailableError when Redis cannot be reached to start it.
   */
  watch(name: string, after: string, pace?: Pace): Observable<RtEntry[]> {
    return new Observable<RtEntry[]>((subscriber) => {
      if (this.closing) {
        subscriber.error(new RtRedisUnavailableError('watch', new Error('shutting down')));
        return;
      }
      const onGap = (l: StreamListener) => void this.catchUp(tap, l, false);
      const listener = new StreamListener(after, subscriber, onGap, pace);
      const tap = this.taps.add(name, listener);
      void this.catchUp(tap, listener, true);
      return () => {
        if (this.taps.remove(tap, listener)) this.deferred.forget(tap);
      };
    });
  }

  stats(): RtHubStats {
    return this.taps.stats();
  }

  /** Ends every open stream (without an end marker) so that the HTTP server can close. */
  onModuleDestroy(): void {
    this.closing = true;
    clearInterval(this.sweepTimer);
    this.subscriptions.close();
    this.deferred.close();
    this.pages.close();
    for (const tap of [...this.taps.values()]) {
      for (const listener of [...tap.listeners]) listener.end();
    }
  }

  /**
   * Reads from Redis what `listener` has not seen, once the channel is subscribed (so that
   * nothing published after the read can be missed), page by page at its pace; reads are
   * shared with the other listeners that need the same page. An open stream outlives an
   * outage: a catch-up that finds Redis away is deferred (the two connections come back one
   * after the other); a stream that has not started yet fails (its route answers 503).
   */
  private async catchUp(tap: QueueTap, listener: StreamListener, first: boolean): Promise<void> {
    try {
      await tap.subscribed;
      for (;;) {
        if (listener.closed) return;
        const page = await this.pages.page(tap.name, listener.lastId, listener.bufferedFrom);
        if (page === 'gone') throw new RtQueueNotFoundError(tap.name);
        if (page === 'not-started') {
          // A page usually connects before the job's first push: wait for it. A listener
          // that has seen items before (it resumes) finds its queue expired instead.
          if (listener.lastId !== START_ID) throw new RtQueueNotFoundError(tap.name);
          listener.waitingSince ??= Date.now();
          listener.caughtUp([], first);
          return;
        }
        // A stream id starts with the time of its push: the latest one dates the queue.
        const newest = page.entries.at(-1);
        if (newest) tap.lastPushAt = Math.min(tap.lastPushAt, Number(newest.id.split('-')[0]));
        listener.caughtUp(page.entries, first, !page.more);
        if (!page.more) return;
        first = false;
        await listener.pace();
      }
    } catch (err) {
      if (!first && err instanceof RtRedisUnavailableError && !this.closing) {
        this.deferred.defer(tap, listener);
        return;
      }
      listener.fail(err);
    }
  }

  /** Deferred catch-ups, once Redis may be back: their subscription may be what failed too. */
  private retry(tap: QueueTap, listeners: Set<StreamListener>): void {
    if (!this.taps.isCurrent(tap)) return;
    if (tap.subscribeSent) this.taps.resubscribe(tap); // a repeated SUBSCRIBE is harmless
    for (const listener of listeners) {
      if (!listener.closed && tap.listeners.has(listener)) void this.catchUp(tap, listener, false);
    }
  }

  /** Whether an open stream of this process listens on `channel`. */
  private wants(channel: string): boolean {
    const name = this.store.keys.queueOf(channel);
    return name !== undefined && this.taps.get(name) !== undefined;
  }

  private onMessage(channel: string, message: string): void {
    const name = this.store.keys.queueOf(channel);
    const tap = name === undefined ? undefined : this.taps.get(name);
    if (!tap) return;
    const { prevId, entry } = parsePublished(message);
    const batch = [entry];
    tap.lastPushAt = Date.now();
    for (const listener of tap.listeners) listener.offer(prevId, entry, batch);
  }

  private async sweep(): Promise<void> {
    if (this.taps.size > 0 && !this.closing) {
      await sweepExpired(this.taps.values(), this.store, this.config);
    }
  }

  /**
   * After a reconnect, a slot migration or a failover, entries published while a
   * subscription lapsed never arrive (and the lost one may be an end marker): subscribe
   * again, and once that is confirmed, let every listener read what it missed.
   */
  private resync(): void {
    if (this.taps.size === 0 || this.closing) return;
    this.logger.log(`Reader resubscribed; resuming ${this.taps.size} queue(s)`);
    for (const tap of this.taps.values()) {
      if (!tap.subscribeSent) continue; // its first subscription is still on its way
      this.taps.resubscribe(tap);
      // A listener in the middle of a catch-up keeps what it has buffered; the others buffer
      // what arrives from now on. Every one reads what it missed: a catch-up under way may
      // have read the tail before the lapse (deliveries stay in order either way: prevId).
      for (const listener of tap.listeners) {
        listener.buffer();
        void this.catchUp(tap, listener, false);
      }
    }
  }
}
