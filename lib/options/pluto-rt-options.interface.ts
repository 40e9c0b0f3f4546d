import type { CanActivate, Type } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import type { HtmxMajor } from '../markup/htmx-dialect.js';

/** How the module reaches Redis: give exactly one of `url`, `options` or `client`. */
export interface PlutoRtRedisOptions {
  /** A `redis://` or `rediss://` URL. */
  url?: string;
  /** ioredis options; merged over `url` when both are given. */
  options?: RedisOptions;
  /**
   * An existing ioredis client. The module uses it for commands and a duplicate of it for
   * its reader; it never closes the client you hand in (it does close the duplicate).
   */
  client?: Redis;
}

export interface PlutoRtModuleOptions {
  /** @default { url: 'redis://127.0.0.1:6379' } */
  redis?: PlutoRtRedisOptions;
  /** Prefix of every Redis key and channel the module uses. @default 'pluto-rt:' */
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
  /**
   * The htmx major of your pages: the scripts partial loads it and the other partials
   * write its attributes. A page may choose another one (see the README, "htmx 2 or 4").
   * @default 2
   */
  htmx?: HtmxMajor;
  /** How often open streams check that their queue still exists (one command per check for all of them), in ms. @default 60_000 */
  sweepIntervalMs?: number;
}

/** Fixed when the module is imported, for both `forRoot` and `forRootAsync`. */
export interface PlutoRtModuleExtras {
  /** Make RtQueueService injectable everywhere without importing the module. @default false */
  isGlobal?: boolean;
  /** Path under which the module mounts its routes. @default 'pluto-rt' */
  routePrefix?: string;
}
