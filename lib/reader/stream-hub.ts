import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Observable } from 'rxjs';
import { RtQueueNotFoundError, RtRedisUnavailableError } from '../errors.js';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RedisConnections } from '../store/redis-connections.js';
import type { RtEntry } from '../store/rt-entry.js';
import { compareStreamIds, START_ID } from '../store/stream-id.js';
import { StreamStore } from '../store/stream-store.js';
import { ChannelSubscriptions } from './channel-subscriptions.js';
import { sweepExpired } from './expiry-sweep.js';
import { parsePublished, type QueueTap } from './queue-tap.js';
import { StreamListener } from './stream-listener.js';
import { PLUTO_RT_METRICS, type RtMetrics } from '../metrics/rt-metrics.js';

/**
 * How soon a catch-up that found Redis unavailable tries again by itself. A reconnect
 * retries at once, but a timeout on a live connection (a master that is slow, or busy
 * with WAITs) or a cluster failover on one shard brings no 'ready' event.
 */
const DEFERRED_RETRY_MS = 500;

/** Counters of what the hub holds; each returns to its baseline when streams close. */
export interface RtHubStats {
  /** Open streams (SSE connections and `stream()` subscriptions). */
  streams: number;
  /** Queues with at least one open stream (channels subscribed on the reader). */
  queues: number;
  /** Streams reading history from Redis right now. */
  catchingUp: number;
  /** Streams whose queue has not started (no push yet). */
  waitingForStart: number;
}

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
  private readonly taps = new Map<string, QueueTap>();
  private readonly subscriptions: ChannelSubscriptions;
  private readonly sweepTimer: NodeJS.Timeout;
  private closing = false;
  /** Listeners across all taps, kept as a count so that stats() need not count them. */
  private listenerCount = 0;
  /** Catch-ups of open streams that found Redis away: retried when a connection is back. */
  private readonly deferred = new Map<QueueTap, Set<StreamListener>>();
  private deferredTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: StreamStore,
    private readonly connections: RedisConnections,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_METRICS) private readonly metrics: RtMetrics,
  ) {
    this.subscriptions = new ChannelSubscriptions(
      connections,
      (channel, message) => this.onMessage(channel, message),
      () => this.resync(),
      () => metrics.readerReconnected(),
    );
    // The command connection may be the app's own client: its listener goes at shutdown.
    connections.command.on('ready', this.retryDeferred);
    this.sweepTimer = setInterval(() => void this.sweep(), config.sweepIntervalMs).unref();
  }

  /**
   * The entries of queue `name` after `after`, in batches: the first batch is the history
   * (possibly empty), the next ones arrive live; completes after the end marker. A queue
   * that has not started yet is waited for (up to `startTimeoutSeconds`). Errors with
   * RtQueueNotFoundError when the queue is gone (completed and expired, or expired while
   * open, or never started), and with
   * RtRedisUnavailableError when Redis cannot be reached to start it.
   */
  watch(name: string, after: string): Observable<RtEntry[]> {
    return new Observable<RtEntry[]>((subscriber) => {
      if (this.closing) {
        subscriber.error(new RtRedisUnavailableError('watch', new Error('shutting down')));
        return;
      }
      const tap = this.tapFor(name);
      const listener = new StreamListener(
        after,
        subscriber,
        (l) => void this.catchUp(tap, [l], false),
      );
      tap.listeners.add(listener);
      this.listenerCount++;
      void this.catchUp(tap, [listener], true);
      return () => this.remove(tap, listener);
    });
  }

  stats(): RtHubStats {
    let catchingUp = 0;
    let waitingForStart = 0;
    for (const tap of this.taps.values()) {
      for (const listener of tap.listeners) {
        if (listener.catchingUp) catchingUp++;
        if (listener.waitingForStart) waitingForStart++;
      }
    }
    return { streams: this.listenerCount, queues: this.taps.size, catchingUp, waitingForStart };
  }

  /** Ends every open stream (without an end marker) so that the HTTP server can close. */
  onModuleDestroy(): void {
    this.closing = true;
    clearInterval(this.sweepTimer);
    this.subscriptions.close();
    this.connections.command.off('ready', this.retryDeferred);
    clearTimeout(this.deferredTimer);
    this.deferred.clear();
    for (const tap of [...this.taps.values()]) {
      for (const listener of [...tap.listeners]) listener.end();
    }
  }

  private tapFor(name: string): QueueTap {
    let tap = this.taps.get(name);
    if (!tap) {
      tap = {
        name,
        channel: this.store.channel(name),
        listeners: new Set(),
        subscribed: Promise.resolve(),
        subscribeSent: false,
        lastPushAt: Date.now(),
      };
      tap.subscribed = this.subscribe(tap);
      // Keep the rejection handled: each catch-up awaits it and reports it to its own listeners.
      tap.subscribed.catch(() => undefined);
      this.taps.set(name, tap);
    }
    return tap;
  }

  private async subscribe(tap: QueueTap): Promise<void> {
    await this.connections.whenReady(this.connections.reader, 'subscribe');
    // Its streams left while it waited (at once, or while Redis was away): nothing to send.
    if (this.taps.get(tap.name) !== tap) return;
    tap.subscribeSent = true;
    await this.subscriptions.subscribe(tap.channel);
  }

  private remove(tap: QueueTap, listener: StreamListener): void {
    if (tap.listeners.delete(listener)) this.listenerCount--;
    if (tap.listeners.size > 0 || this.taps.get(tap.name) !== tap) return;
    this.taps.delete(tap.name);
    this.deferred.delete(tap);
    if (tap.subscribeSent) this.subscriptions.unsubscribe(tap.channel);
  }

  /**
   * Reads from Redis what `listeners` have not seen, once the channel is subscribed (so that
   * nothing published after the read can be missed), then hands each its part.
   */
  private async catchUp(tap: QueueTap, all: StreamListener[], first: boolean): Promise<void> {
    let listeners = all;
    try {
      await tap.subscribed;
      // Those that left meanwhile need no read.
      listeners = all.filter((listener) => !listener.closed);
      if (listeners.length === 0) return;
      const from = listeners
        .map((l) => l.lastId)
        .reduce((a, b) => (compareStreamIds(a, b) <= 0 ? a : b));
      // The whole queue fits: it holds at most maxMessages items and one end marker.
      this.metrics.catchUpRead();
      const entries = await this.store.read(tap.name, from, this.config.maxMessages + 1);
      if (entries === 'gone') throw new RtQueueNotFoundError(tap.name);
      if (entries === 'not-started') {
        // A page usually connects before the job's first push: wait for it. A listener
        // that has seen items before (it resumes) finds its queue expired instead.
        const now = Date.now();
        for (const listener of listeners) {
          if (listener.lastId !== START_ID) {
            listener.fail(new RtQueueNotFoundError(tap.name));
          } else {
            listener.waitingSince ??= now;
            listener.caughtUp([], first);
          }
        }
        return;
      }
      // A stream id starts with the time of its push: the latest one dates the queue.
      const newest = entries.at(-1);
      if (newest) tap.lastPushAt = Math.min(tap.lastPushAt, Number(newest.id.split('-')[0]));
      for (const listener of listeners) listener.caughtUp(entries, first);
    } catch (err) {
      // An open stream outlives an outage: the two connections come back one after the
      // other, so this catch-up waits for the next one back rather than ending the stream.
      // (A stream that has not started yet fails: its route answers 503.)
      if (!first && err instanceof RtRedisUnavailableError && !this.closing) {
        const waiting = this.deferred.get(tap) ?? new Set<StreamListener>();
        for (const listener of listeners) waiting.add(listener);
        this.deferred.set(tap, waiting);
        this.deferredTimer ??= setTimeout(this.retryDeferred, DEFERRED_RETRY_MS).unref();
        return;
      }
      for (const listener of listeners) listener.fail(err);
    }
  }

  private readonly retryDeferred = (): void => {
    clearTimeout(this.deferredTimer);
    this.deferredTimer = undefined;
    const work = [...this.deferred];
    this.deferred.clear();
    for (const [tap, waiting] of work) {
      if (this.taps.get(tap.name) !== tap) continue;
      // Its subscription may be what failed: ask again (a repeated SUBSCRIBE is harmless).
      if (tap.subscribeSent) {
        tap.subscribed = this.subscriptions.subscribe(tap.channel);
        tap.subscribed.catch(() => undefined);
      }
      const live = [...waiting].filter(
        (listener) => !listener.closed && tap.listeners.has(listener),
      );
      if (live.length > 0) void this.catchUp(tap, live, false);
    }
  };

  private onMessage(channel: string, message: string): void {
    const name = this.store.queueOf(channel);
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
      tap.subscribed = this.subscriptions.subscribe(tap.channel);
      tap.subscribed.catch(() => undefined); // reported through the catch-up below
      // A listener in the middle of a catch-up keeps what it has buffered; the others
      // buffer what arrives from now on. Deliveries stay in order either way (prevId).
      for (const listener of tap.listeners) listener.pending ??= [];
      if (tap.listeners.size > 0) void this.catchUp(tap, [...tap.listeners], false);
    }
  }
}
