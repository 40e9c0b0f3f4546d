import type { RedisConnections } from '../store/redis-connections.js';
import type { ChannelSubscriptions } from './channel-subscriptions.js';
import type { QueueTap } from './queue-tap.js';
import type { StreamListener } from './stream-listener.js';

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
 * The queues with open streams in this process: each tap holds its listeners and its
 * subscription on the shared reader, made with its first listener and dropped with its
 * last.
 */
export class QueueTaps {
  private readonly taps = new Map<string, QueueTap>();
  /** Listeners across all taps, kept as a count so that stats need not count them. */
  private listenerCount = 0;

  constructor(
    private readonly subscriptions: ChannelSubscriptions,
    private readonly connections: RedisConnections,
    private readonly channelOf: (queue: string) => string,
  ) {}

  get size(): number {
    return this.taps.size;
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

  get(name: string): QueueTap | undefined {
    return this.taps.get(name);
  }

  values(): IterableIterator<QueueTap> {
    return this.taps.values();
  }

  /** Whether `tap` is still the one of its queue (its last listener did not leave). */
  isCurrent(tap: QueueTap): boolean {
    return this.taps.get(tap.name) === tap;
  }

  /** Adds `listener` to queue `name`'s tap, made (and subscribed) if it is the first. */
  add(name: string, listener: StreamListener): QueueTap {
    let tap = this.taps.get(name);
    if (!tap) {
      tap = {
        name,
        channel: this.channelOf(name),
        listeners: new Set(),
        subscribed: Promise.resolve(),
        subscribeSent: false,
        lastPushAt: Date.now(),
      };
      this.taps.set(name, tap);
      tap.subscribed = this.firstSubscribe(tap);
      // Keep the rejection handled: each catch-up awaits it and reports it to its own listeners.
      tap.subscribed.catch(() => undefined);
    }
    tap.listeners.add(listener);
    this.listenerCount++;
    return tap;
  }

  /** Takes `listener` off `tap`; the last one to go unsubscribes. Returns whether the tap went. */
  remove(tap: QueueTap, listener: StreamListener): boolean {
    if (tap.listeners.delete(listener)) this.listenerCount--;
    if (tap.listeners.size > 0 || !this.isCurrent(tap)) return false;
    this.taps.delete(tap.name);
    if (tap.subscribeSent) this.subscriptions.unsubscribe(tap.channel);
    return true;
  }

  /** Subscribes `tap` again; a failure is reported by the catch-ups that await it. */
  resubscribe(tap: QueueTap): void {
    tap.subscribed = this.subscriptions.subscribe(tap.channel);
    tap.subscribed.catch(() => undefined);
  }

  private async firstSubscribe(tap: QueueTap): Promise<void> {
    await this.connections.whenReady(this.connections.reader, 'subscribe');
    // Its streams left while it waited (at once, or while Redis was away): nothing to send.
    if (!this.isCurrent(tap)) return;
    tap.subscribeSent = true;
    await this.subscriptions.subscribe(tap.channel);
  }
}
