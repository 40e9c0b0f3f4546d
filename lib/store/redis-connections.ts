import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RtRedisUnavailableError } from '../errors.js';
import {
  clusterOptions,
  clusterReaderOptions,
  clusterWaitedOptions,
  ownOptions,
  standaloneOptions,
  standaloneReaderOptions,
  standaloneWaitedOptions,
  type RedisClient,
} from './connection-options.js';
import { ReadyWaiters } from './ready-waiters.js';

export type { RedisClient } from './connection-options.js';

/** Pub/sub that wakes the readers: SPUBLISH/SSUBSCRIBE, or PUBLISH/SUBSCRIBE before Redis 7. */
export type PubSubKind = 'sharded' | 'classic';

/**
 * The module's Redis clients: `command` for every short command (pushes, reads), `reader`
 * for the subscriptions that feed all open streams (on a cluster, one sharded subscriber
 * connection per master), and `waited` for the writes that wait for replicas. It closes
 * what it created and never a client that was handed in.
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
  /** When each connection that warned of an error went down: its recovery is logged once. */
  private readonly downSince = new Map<RedisClient, number>();
  private readonly ready: ReadyWaiters;
  private pubsub?: Promise<PubSubKind>;

  constructor(@Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig) {
    const { url, cluster, client } = config.redis;
    const own = ownOptions(config);
    this.ready = new ReadyWaiters(config.commandTimeoutMs);
    if (client) {
      this.command = client;
    } else if (cluster) {
      this.command = this.own(new Cluster(cluster.nodes, clusterOptions(config, own)), 'command');
    } else {
      const options = standaloneOptions(config, own);
      this.command = this.own(url ? new Redis(url, options) : new Redis(options), 'command');
    }
    // A cluster the module made subscribes itself; any other client gets a reader.
    this.reader = client || !cluster ? this.own(this.duplicate('reader'), 'reader') : this.command;
    if (config.waitForReplicas) this.waited = this.own(this.duplicate('waited'), 'waited');
    this.isCluster = this.command.isCluster;
    this.clientKeyPrefix = this.command.options.keyPrefix ?? '';
  }

  /** A client for subscriptions only, or for waited writes, to the command client's server(s). */
  private duplicate(role: 'reader' | 'waited'): RedisClient {
    const { command, config } = this;
    if (command instanceof Cluster) {
      const options =
        role === 'reader' ? clusterReaderOptions(config) : clusterWaitedOptions(ownOptions(config));
      return command.duplicate([], options);
    }
    return command.duplicate(
      role === 'reader'
        ? standaloneReaderOptions(config, command.options.retryStrategy)
        : standaloneWaitedOptions(ownOptions(config)),
    );
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
    return this.ready.whenReady(client, operation);
  }

  async onApplicationShutdown(): Promise<void> {
    this.ready.clear();
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

  /**
   * Takes `client` into the module's care: closed at shutdown, and its outages logged once
   * each (one line per outage, not one per reconnect attempt; an 'error' without a
   * listener would crash the process), and its recovery.
   */
  private own(client: RedisClient, role: string): RedisClient {
    if (this.owned.includes(client)) return client;
    this.owned.push(client);
    const lost = (detail: string) => {
      if (this.downSince.has(client)) return;
      this.downSince.set(client, Date.now());
      this.logger.warn(`Redis connection error (${role}): ${detail}; reconnecting`);
    };
    client.on('error', (err: Error) => lost(err.message));
    // A connection the server closed cleanly (a shutdown, CLIENT KILL) reconnects without
    // any 'error': an outage all the same.
    client.on('reconnecting', () => lost('connection closed'));
    client.on('ready', () => {
      const since = this.downSince.get(client);
      if (since === undefined) return;
      this.downSince.delete(client);
      this.logger.log(`Redis connection is back (${role}) after ${Date.now() - since} ms`);
    });
    return client;
  }
}
