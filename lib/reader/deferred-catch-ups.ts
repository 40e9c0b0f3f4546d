import type { RedisClient } from '../store/redis-connections.js';
import type { QueueTap } from './queue-tap.js';
import type { StreamListener } from './stream-listener.js';

/**
 * How soon a catch-up that found Redis unavailable tries again by itself. A reconnect
 * retries at once, but a timeout on a live connection (a master that is slow, or busy
 * with WAITs) or a cluster failover on one shard brings no 'ready' event.
 */
const RETRY_MS = 500;

/**
 * Catch-ups of open streams that found Redis away: an open stream outlives an outage, so
 * they are retried when the command connection is back, or after RETRY_MS.
 */
export class DeferredCatchUps {
  private readonly waiting = new Map<QueueTap, Set<StreamListener>>();
  private timer?: NodeJS.Timeout;

  constructor(
    /** The command connection, which may be the app's own client: see close(). */
    private readonly command: RedisClient,
    private readonly retry: (tap: QueueTap, listeners: Set<StreamListener>) => void,
  ) {
    command.on('ready', this.retryAll);
  }

  defer(tap: QueueTap, listener: StreamListener): void {
    let listeners = this.waiting.get(tap);
    if (!listeners) this.waiting.set(tap, (listeners = new Set()));
    listeners.add(listener);
    this.timer ??= setTimeout(this.retryAll, RETRY_MS).unref();
  }

  /** Forgets `tap`'s deferred catch-ups (its last stream left). */
  forget(tap: QueueTap): void {
    this.waiting.delete(tap);
  }

  close(): void {
    this.command.off('ready', this.retryAll);
    clearTimeout(this.timer);
    this.waiting.clear();
  }

  private readonly retryAll = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    const work = [...this.waiting];
    this.waiting.clear();
    for (const [tap, listeners] of work) this.retry(tap, listeners);
  };
}
