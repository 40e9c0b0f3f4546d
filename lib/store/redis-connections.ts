import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RtRedisUnavailableError } from '../errors.js';

/**
 * The module's two Redis connections: `command` for every short command (pushes, reads),
 * `reader` for the one subscription that feeds all open streams. It closes what it
 * created and never a client that was handed in.
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PlutoRt');
  readonly command: Redis;
  readonly reader: Redis;
  /**
   * The `keyPrefix` of the command connection (the app's client's, or `redis.options`'):
   * ioredis adds it to the keys of commands, scripts included, but not to the channels of
   * SUBSCRIBE. The reader has none, and subscribes to the prefixed channel names itself.
   */
  readonly clientKeyPrefix: string;
  private readonly owned: Redis[] = [];
  private readonly warned = new WeakSet<Redis>();
  /** Callers waiting for each client to be ready, and the one 'ready' listener that serves them. */
  private readonly readyWaiters = new Map<
    Redis,
    { waiters: Set<() => void>; listener: () => void }
  >();

  constructor(@Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig) {
    const { url, options, client } = config.redis;
    // Pushes must not sit in an offline queue past their bound (and be written later
    // behind the caller's back), and the reader resubscribes itself (see StreamHub).
    const own: RedisOptions = {
      connectionName: config.clientName,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      commandTimeout: config.commandTimeoutMs,
      maxRetriesPerRequest: 0,
      // Connected in onModuleInit: a boot that fails before then (another provider cannot
      // be resolved) gets no shutdown hooks, and must leave no socket behind.
      lazyConnect: true,
    };
    if (client) {
      this.command = client;
    } else {
      this.command = this.own(
        url ? new Redis(url, { ...options, ...own }) : new Redis({ ...options, ...own }),
      );
    }
    this.clientKeyPrefix = this.command.options.keyPrefix ?? '';
    this.reader = this.own(
      this.command.duplicate({
        connectionName: config.clientName,
        keyPrefix: undefined,
        autoResubscribe: false,
        enableOfflineQueue: true,
        commandTimeout: undefined,
        maxRetriesPerRequest: null,
        lazyConnect: true,
      }),
    );
  }

  onModuleInit(): void {
    for (const client of this.owned) {
      // Failures are reported by the 'error' listener, and ioredis keeps retrying.
      if (client.status === 'wait') client.connect().catch(() => undefined);
    }
  }

  /** Resolves once `client` is connected, or rejects with RtRedisUnavailableError after the bound. */
  whenReady(client: Redis, operation: string): Promise<void> {
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
        reject(
          new RtRedisUnavailableError(
            operation,
            new Error(`not connected within ${this.config.commandTimeoutMs} ms`),
          ),
        );
      }, this.config.commandTimeoutMs);
      waiters.add(onReady);
    });
  }

  /**
   * The callers waiting for `client` to be ready, behind ONE 'ready' listener: a burst of
   * pushes during an outage must not add a listener each (MaxListenersExceededWarning),
   * and a caller that timed out leaves nothing behind.
   */
  private waitersOf(client: Redis): Set<() => void> {
    let entry = this.readyWaiters.get(client);
    if (!entry) {
      const waiters = new Set<() => void>();
      const listener = () => {
        this.readyWaiters.delete(client);
        for (const onReady of waiters) onReady();
      };
      client.once('ready', listener);
      entry = { waiters, listener };
      this.readyWaiters.set(client, entry);
    }
    return entry.waiters;
  }

  async onApplicationShutdown(): Promise<void> {
    // The app's own client outlives the module: take back every listener put on it.
    for (const [client, { listener }] of this.readyWaiters) client.off('ready', listener);
    this.readyWaiters.clear();
    await Promise.all(
      this.owned.map(async (client) => {
        if (client.status === 'end') return;
        if (client.status === 'wait') return client.disconnect(); // never connected
        try {
          await client.quit();
        } catch {
          client.disconnect();
        }
      }),
    );
  }

  private own(client: Redis): Redis {
    this.owned.push(client);
    // One line per outage, not one per reconnect attempt; an 'error' without a listener would crash.
    client.on('error', (err: Error) => {
      if (this.warned.has(client)) return;
      this.warned.add(client);
      this.logger.warn(`Redis connection error: ${err.message}; reconnecting`);
    });
    client.on('ready', () => this.warned.delete(client));
    return client;
  }
}
