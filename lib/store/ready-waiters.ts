import { RtRedisUnavailableError } from '../errors.js';
import type { RedisClient } from './connection-options.js';

/**
 * Callers waiting for a client to be connected, behind ONE 'ready' listener per client: a
 * burst of pushes during an outage must not add a listener each (MaxListenersExceeded), and
 * a caller that timed out leaves nothing behind.
 */
export class ReadyWaiters {
  private readonly waiting = new Map<
    RedisClient,
    { waiters: Set<() => void>; listener: () => void }
  >();

  constructor(private readonly timeoutMs: number) {}

  /** Resolves once `client` is connected, or rejects with RtRedisUnavailableError after the bound. */
  whenReady(client: RedisClient, operation: string): Promise<void> {
    if (client.status === 'ready') return Promise.resolve();
    if (client.status === 'end')
      return Promise.reject(new RtRedisUnavailableError(operation, new Error('connection closed')));
    // A client handed in with lazyConnect (and its duplicate) connects on first use.
    if (client.status === 'wait') client.connect().catch(() => undefined);
    const waiters = this.waitersOf(client);
    return new Promise((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(onReady);
        const late = new Error(`not connected within ${this.timeoutMs} ms`);
        reject(new RtRedisUnavailableError(operation, late));
      }, this.timeoutMs);
      waiters.add(onReady);
    });
  }

  /** Takes back every listener put on the clients (the app's own client outlives the module). */
  clear(): void {
    for (const [client, { listener }] of this.waiting) client.off('ready', listener);
    this.waiting.clear();
  }

  private waitersOf(client: RedisClient): Set<() => void> {
    let entry = this.waiting.get(client);
    if (!entry) {
      const waiters = new Set<() => void>();
      const listener = () => {
        this.waiting.delete(client);
        for (const onReady of waiters) onReady();
      };
      client.once('ready', listener);
      entry = { waiters, listener };
      this.waiting.set(client, entry);
    }
    return entry.waiters;
  }
}
