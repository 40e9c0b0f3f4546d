import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RtRedisUnavailableError } from '../errors.js';

/** A standalone (or Sentinel-managed) server's client, or a cluster's. */
export type RedisClient = Redis | Cluster;

/** Pub/sub that wakes the readers: SPUBLISH/SSUBSCRIBE, or PUBLISH/SUBSCRIBE before Redis 7. */
export type PubSubKind = 'sharded' | 'classic';

/** Options of ioredis 6 that ioredis 5's types lack (5 ignores them; a cluster needs 6). */
type OwnRedisOptions = RedisOptions & { disableClientInfo?: boolean };
type OwnClusterOptions = ClusterOptions & { shardedSubscribers?: boolean };

/** How often our own connections try again while Redis is away: soon, and flat. */
const retryStrategy = (times: number) => Math.min(times * 50, 500);

/**
 * The module's two Redis clients: `command` for every short command (pushes, reads),
 * `reader` for the subscriptions that feed all open streams (on a cluster, one sharded
 * subscriber connection per master). It closes what it created and never a client that
 * was handed in.
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PlutoRt');
  readonly command: RedisClient;
  readonly reader: RedisClient;
  /**
   * With `waitForReplicas`: the connection (one per master on a cluster) that carries the
   * writes and their WAITs. WAIT blocks the connection it is sent on for up to its timeout,
   * so it must not hold up reads and the streams' catch-ups behind it.
   */
  readonly waited?: RedisClient;
  readonly isCluster: boolean;
  /**
   * The `keyPrefix` of the command client (the app's, or `redis.options`'): ioredis adds it
   * to the keys of commands, scripts included, but not to the channels of SUBSCRIBE. The
   * reader has none, and subscribes to the prefixed channel names itself.
   */
  readonly clientKeyPrefix: string;
  private readonly owned: RedisClient[] = [];
  private readonly warned = new WeakSet<RedisClient>();
  /** Callers waiting for each client to be ready, and the one 'ready' listener that serves them. */
  private readonly readyWaiters = new Map<
    RedisClient,
    { waiters: Set<() => void>; listener: () => void }
  >();
  private pubsub?: Promise<PubSubKind>;

  constructor(@Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig) {
    const { url, options, cluster, client } = config.redis;
    // Pushes must not sit in an offline queue past their bound (and be written later
    // behind the caller's back), and the reader resubscribes itself (see StreamHub).
    const own: OwnRedisOptions = {
      connectionName: config.clientName,
      // CLIENT SETINFO (Redis 7.2+) would be one more command for the ACL to allow.
      disableClientInfo: true,
      autoResendUnfulfilledCommands: false,
      commandTimeout: config.commandTimeoutMs,
      maxRetriesPerRequest: 0,
      // Connected in onModuleInit: a boot that fails before then (another provider cannot
      // be resolved) gets no shutdown hooks, and must leave no socket behind.
      lazyConnect: true,
    };
    if (client) {
      this.command = client;
      this.reader = this.own(this.readerFor(client));
    } else if (cluster) {
      // One Cluster for both: its sharded subscribers are one connection per master beside
      // the command connection (a second Cluster would hold command connections of its own).
      // ioredis opens a master's connection on its first command: without the offline queue
      // the commands sent meanwhile fail, are retried ~100 ms later and land out of order.
      // (A node's connection queues anyway; StreamStore still bounds each caller's wait.)
      const shared: OwnClusterOptions = {
        ...cluster.options,
        shardedSubscribers: true,
        // A command that met a closed connection (it may have run) or CLUSTERDOWN is not
        // re-sent later by ioredis: its delayed retries wait for a slot refresh and outlive
        // commandTimeoutMs, when the caller has heard RtRedisUnavailableError, and a push
        // must not be written behind its back, nor twice. StreamStore retries CLUSTERDOWN
        // itself, within the bound. MOVED and ASK are followed at once; TRYAGAIN (keys
        // half-moved) briefly: its 16 tries end within a quarter of the bound.
        retryDelayOnFailover: 0,
        retryDelayOnClusterDown: 0,
        retryDelayOnTryAgain: Math.max(1, Math.min(100, Math.floor(config.commandTimeoutMs / 64))),
        enableOfflineQueue: true,
        lazyConnect: true,
        redisOptions: { ...cluster.options?.redisOptions, ...own },
      };
      this.command = this.own(new Cluster(cluster.nodes, shared));
      this.reader = this.command;
    } else {
      const standalone = { retryStrategy, ...options, ...own, enableOfflineQueue: false };
      this.command = this.own(url ? new Redis(url, standalone) : new Redis(standalone));
      this.reader = this.own(this.readerFor(this.command));
    }
    if (config.waitForReplicas) this.waited = this.own(this.waitedFor(this.command, own));
    this.isCluster = this.command.isCluster;
    this.clientKeyPrefix = this.command.options.keyPrefix ?? '';
  }

  /** A client for waited writes only, of the same kind and server(s) as `command`. */
  private waitedFor(command: RedisClient, own: OwnRedisOptions): RedisClient {
    if (command instanceof Cluster) {
      const options: OwnClusterOptions = {
        shardedSubscribers: false,
        lazyConnect: true,
        redisOptions: own,
      };
      return command.duplicate([], options);
    }
    return command.duplicate({ ...own, enableOfflineQueue: false });
  }

  /** A client for subscriptions only, of the same kind and server(s) as `command`. */
  private readerFor(command: RedisClient): RedisClient {
    const reader: OwnRedisOptions = {
      connectionName: this.config.clientName,
      disableClientInfo: true,
      keyPrefix: undefined,
      commandTimeout: undefined,
      maxRetriesPerRequest: null,
      lazyConnect: true,
    };
    if (command instanceof Cluster) {
      // One sharded subscriber connection per master; ioredis resubscribes a channel
      // itself when its slot moves (the hub then reads what the gap may have dropped).
      const options: OwnClusterOptions = {
        keyPrefix: undefined,
        shardedSubscribers: true,
        enableOfflineQueue: true,
        lazyConnect: true,
        redisOptions: reader,
      };
      return command.duplicate([], options);
    }
    return command.duplicate({
      ...reader,
      retryStrategy: command.options.retryStrategy ?? retryStrategy,
      autoResubscribe: false,
      enableOfflineQueue: true,
    });
  }

  onModuleInit(): void {
    for (const client of this.owned) {
      // Failures are reported by the 'error' listener, and ioredis keeps retrying.
      if (client.status === 'wait') client.connect().catch(() => undefined);
    }
  }

  /**
   * Which pub/sub wakes the readers, decided once: the `redis.pubsub` option, or sharded
   * on a cluster and on Redis 7+, classic below (asked with INFO through `client`, which
   * must be ready).
   */
  pubsubKind(client: RedisClient): Promise<PubSubKind> {
    const option = this.config.redis.pubsub;
    if (option !== 'auto') return Promise.resolve(option);
    if (this.isCluster) return Promise.resolve('sharded');
    this.pubsub ??= client.info('server').then(
      (info) => (Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0) >= 7 ? 'sharded' : 'classic'),
      (err: unknown) => {
        this.pubsub = undefined; // ask again next time
        throw new RtRedisUnavailableError('info', err);
      },
    );
    return this.pubsub;
  }

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
  private waitersOf(client: RedisClient): Set<() => void> {
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

  private own(client: RedisClient): RedisClient {
    if (this.owned.includes(client)) return client;
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
