import type { CanActivate, Type } from '@nestjs/common';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import type { HtmxMajor } from '../markup/htmx-dialect.js';

/** A Redis Cluster, reached through an ioredis `Cluster` that the module creates. */
export interface PlutoRtClusterOptions {
  /** Startup nodes, e.g. `[{ host: '10.0.0.1', port: 6379 }]` or `['redis://10.0.0.1:6379']`. */
  nodes: ClusterNode[];
  /** ioredis Cluster options (its `redisOptions` apply to every node connection). */
  options?: ClusterOptions;
}

/**
 * How the module reaches Redis: `url` and/or `options` (Sentinel too: `options: { sentinels,
 * name }`), or `cluster`, or `client`.
 */
export interface PlutoRtRedisOptions {
  /** A `redis://` or `rediss://` URL. */
  url?: string;
  /** ioredis options; merged over `url` when both are given. */
  options?: RedisOptions;
  /** A Redis Cluster (needs Redis 7 and ioredis 6). */
  cluster?: PlutoRtClusterOptions;
  /**
   * An existing ioredis client (`Redis` or `Cluster`). The module uses it for commands and a
   * duplicate of it for its reader; it never closes the client you hand in (it does close
   * the duplicate).
   */
  client?: Redis | Cluster;
  /**
   * Pub/sub that wakes the readers: `sharded` (SPUBLISH/SSUBSCRIBE, Redis 7+), `classic`
   * (PUBLISH/SUBSCRIBE: for a standalone server older than 7, or a proxy without sharded
   * pub/sub), or `auto`: sharded on Redis 7+ and on a cluster, classic below 7.
   * @default 'auto'
   */
  pubsub?: 'auto' | 'sharded' | 'classic';
}

/**
 * Makes `push`/`complete` wait until `replicas` replicas confirm the write (Redis WAIT),
 * so that a failover cannot lose an acknowledged item; costs a replication round trip.
 */
export interface PlutoRtWaitForReplicas {
  /** Replicas that must confirm each write. */
  replicas: number;
  /** How long to wait for them before rejecting with `RtNotReplicatedError`. */
  timeoutMs: number;
}

/**
 * A prom-client `Registry` (described by the methods the module uses, so that this type
 * does not need prom-client installed).
 */
export interface PlutoRtMetricsRegistry {
  getSingleMetric(name: string): unknown;
  registerMetric(metric: never): void;
  removeSingleMetric(name: string): void;
}

/** Prometheus metrics through prom-client (an optional peer dependency). */
export interface PlutoRtMetricsOptions {
  /** Where the metrics are registered. @default prom-client's default registry (`register`) */
  registry?: PlutoRtMetricsRegistry;
  /** Start of every metric name. @default 'pluto_rt_' */
  prefix?: string;
}

export interface PlutoRtModuleOptions {
  /** @default { url: 'redis://127.0.0.1:6379' } */
  redis?: PlutoRtRedisOptions;
  /**
   * Prefix of every Redis key and channel the module uses; no `{` or `}`: each queue's keys
   * share a hash tag of their own. @default 'pluto-rt:'
   */
  keyPrefix?: string;
  /** Name the module's Redis connections report in CLIENT LIST. @default 'pluto-rt' */
  clientName?: string;
  /** Interval of SSE keepalive comments, in ms. @default 10_000 */
  keepaliveMs?: number;
  /** How long a browser waits before it reconnects a dropped stream (SSE `retry:`), in ms. @default 1_000 */
  sseRetryMs?: number;
  /** A completed queue is deleted this many seconds after `complete()`. @default 60 */
  completedTtlSeconds?: number;
  /** A queue with no push for this many seconds is deleted. @default 86_400 */
  idleTtlSeconds?: number;
  /**
   * How long a stream opened before the queue's first push waits for it (a job waiting for
   * a worker) before it is told the queue is gone. @default 3_600
   */
  startTimeoutSeconds?: number;
  /** Items a queue may hold; `push` rejects with `RtQueueFullError` beyond. @default 10_000 */
  maxMessages?: number;
  /** Bytes of one serialised item; `push` rejects with `RtMessageTooLargeError` beyond. @default 65_536 */
  maxMessageBytes?: number;
  /** Open SSE streams per process; the SSE route answers 503 beyond. @default 10_000 */
  maxStreams?: number;
  /** How long a push waits for Redis to be reachable before it rejects, in ms. @default 5_000 */
  commandTimeoutMs?: number;
  /** Wait for replicas to confirm each push and complete (see the README's failover section). @default undefined (no waiting) */
  waitForReplicas?: PlutoRtWaitForReplicas;
  /** Folder of the item templates (`.hbs`). @default `${process.cwd()}/views` */
  templatesDir?: string;
  /** Secret of the signed stream URLs; at least 32 characters. Required unless `insecureDevelopmentMode`. */
  secret?: string;
  /**
   * Allows a missing `secret`: a random one is made per process (URLs then fail across
   * instances and restarts). For development only; a warning says so. @default false
   */
  insecureDevelopmentMode?: boolean;
  /** Lifetime of a signed stream URL, in seconds. @default 86_400 */
  urlTtlSeconds?: number;
  /** Your guards (classes or instances), run before every route of the module. @default [] */
  guards?: Array<Type<CanActivate> | CanActivate>;
  /** Whether `guards` also protect the client script route. @default false */
  guardAssets?: boolean;
  /** How often open streams check that their queue still exists (one command per check for all of them), in ms. @default 60_000 */
  sweepIntervalMs?: number;
  /**
   * The htmx major of your pages: the scripts partial loads it and the other partials
   * write its attributes. A page may choose another one (see the README, "htmx 2 or 4").
   * @default 2
   */
  htmx?: HtmxMajor;
  /**
   * Prometheus metrics (see the README, "Health and metrics"): `true` registers them in
   * prom-client's default registry. Needs `prom-client` installed; without this option it
   * is never loaded. @default false
   */
  metrics?: boolean | PlutoRtMetricsOptions;
  /**
   * BullMQ queues (registered in the app with `BullModule.registerQueue`) whose jobs the
   * module follows: each job's queue (`rt.forJob(job)`) is told when the job waits, starts,
   * stalls, is retried, fails or completes (see docs/job-life.md). Needs `bullmq`; without
   * this option it is never loaded. @default []
   */
  followJobs?: string[];
}

/** Fixed when the module is imported, for both `forRoot` and `forRootAsync`. */
export interface PlutoRtModuleExtras {
  /** Make RtQueueService injectable everywhere without importing the module. @default false */
  isGlobal?: boolean;
  /** Path under which the module mounts its routes. @default 'pluto-rt' */
  routePrefix?: string;
}
