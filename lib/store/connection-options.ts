import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';

/** A standalone (or Sentinel-managed) server's client, or a cluster's. */
export type RedisClient = Redis | Cluster;

/** Options of ioredis 6 that ioredis 5's types lack (5 ignores them; a cluster needs 6). */
export type OwnRedisOptions = RedisOptions & { disableClientInfo?: boolean };
export type OwnClusterOptions = ClusterOptions & { shardedSubscribers?: boolean };

/** How often our own connections try again while Redis is away: soon, and flat. */
export const retryStrategy = (times: number) => Math.min(times * 50, 500);

/**
 * What every connection the module makes for commands has. Pushes must not sit in an
 * offline queue past their bound (and be written later behind the caller's back), and the
 * reader resubscribes itself (see StreamHub).
 */
export function ownOptions(config: PlutoRtConfig): OwnRedisOptions {
  return {
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
}

/**
 * One server's command client. Commands called in one turn of the event loop leave in one
 * write (ioredis' auto-pipelining): a storm of streams opening at once reads with a few
 * syscalls, not one per stream. (Not on a cluster: it would hold commands until a slot map
 * is known, and send them after their caller may have given up.)
 */
export function standaloneOptions(config: PlutoRtConfig, own: OwnRedisOptions): RedisOptions {
  const given = config.redis.options;
  return { retryStrategy, ...given, ...own, enableOfflineQueue: false, enableAutoPipelining: true };
}

/**
 * A cluster's one Cluster for commands and subscriptions: its sharded subscribers are one
 * connection per master beside the command connection (a second Cluster would hold command
 * connections of its own). ioredis opens a master's connection on its first command:
 * without the offline queue the commands sent meanwhile fail, are retried ~100 ms later and
 * land out of order. (A node's connection queues anyway; each caller's wait is bounded.)
 */
export function clusterOptions(config: PlutoRtConfig, own: OwnRedisOptions): OwnClusterOptions {
  const given = config.redis.cluster?.options;
  return {
    ...given,
    shardedSubscribers: true,
    // A command that met a closed connection (it may have run) or CLUSTERDOWN is not
    // re-sent later by ioredis: its delayed retries wait for a slot refresh and outlive
    // commandTimeoutMs, when the caller has heard RtRedisUnavailableError, and a push
    // must not be written behind its back, nor twice. BoundedCommands retries CLUSTERDOWN
    // itself, within the bound. MOVED and ASK are followed at once; TRYAGAIN (keys
    // half-moved) briefly: its 16 tries end within a quarter of the bound.
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    retryDelayOnTryAgain: Math.max(1, Math.min(100, Math.floor(config.commandTimeoutMs / 64))),
    enableOfflineQueue: true,
    lazyConnect: true,
    redisOptions: { ...given?.redisOptions, ...own },
  };
}

/** What the reader (subscriptions only) has, on a server or each master of a cluster. */
function readerOwnOptions(config: PlutoRtConfig): OwnRedisOptions {
  return {
    connectionName: config.clientName,
    disableClientInfo: true,
    keyPrefix: undefined,
    commandTimeout: undefined,
    maxRetriesPerRequest: null,
    lazyConnect: true,
  };
}

/** The reader's duplicate of one server's command client. */
export function standaloneReaderOptions(
  config: PlutoRtConfig,
  commandRetry: RedisOptions['retryStrategy'],
): RedisOptions {
  return {
    ...readerOwnOptions(config),
    retryStrategy: commandRetry ?? retryStrategy,
    autoResubscribe: false,
    enableOfflineQueue: true,
  };
}

/**
 * The reader's duplicate of a cluster client: one sharded subscriber connection per
 * master; ioredis resubscribes a channel itself when its slot moves (the hub then reads
 * what the gap may have dropped).
 */
export function clusterReaderOptions(config: PlutoRtConfig): OwnClusterOptions {
  return {
    keyPrefix: undefined,
    shardedSubscribers: true,
    enableOfflineQueue: true,
    lazyConnect: true,
    redisOptions: readerOwnOptions(config),
  };
}

/** The duplicate for waited writes (waitForReplicas) of one server's command client. */
export function standaloneWaitedOptions(own: OwnRedisOptions): RedisOptions {
  return { ...own, enableOfflineQueue: false };
}

/** The duplicate for waited writes of a cluster client: one connection per master. */
export function clusterWaitedOptions(own: OwnRedisOptions): OwnClusterOptions {
  return { shardedSubscribers: false, lazyConnect: true, redisOptions: own };
}
