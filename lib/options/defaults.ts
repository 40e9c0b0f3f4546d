import type { HtmxMajor } from '../markup/htmx-dialect.js';

/** A year: the longest any expiry may be (an `exp` the routes accept, a queue's life). */
export const MAX_URL_TTL_SECONDS = 31_536_000;

/**
 * The module's numeric options: default, and the range a given value must be in. The
 * README's option table (docs/options.md) says the same: a test compares them.
 */
export const NUMERIC_OPTIONS = {
  keepaliveMs: { value: 10_000, min: 100, max: 3_600_000 },
  sseRetryMs: { value: 1_000, min: 100, max: 3_600_000 },
  completedTtlSeconds: { value: 60, min: 1, max: MAX_URL_TTL_SECONDS },
  idleTtlSeconds: { value: 86_400, min: 1, max: MAX_URL_TTL_SECONDS },
  startTimeoutSeconds: { value: 3_600, min: 1, max: MAX_URL_TTL_SECONDS },
  maxMessages: { value: 10_000, min: 1, max: 10_000_000 },
  maxMessageBytes: { value: 65_536, min: 16, max: 64 * 1024 * 1024 },
  maxStreams: { value: 10_000, min: 1, max: 1_000_000 },
  commandTimeoutMs: { value: 5_000, min: 10, max: 600_000 },
  urlTtlSeconds: { value: 86_400, min: 1, max: MAX_URL_TTL_SECONDS },
  sweepIntervalMs: { value: 60_000, min: 100, max: 86_400_000 },
} as const;

/** The defaults of the other options (and of forRoot's extras), for every place that needs one. */
export const DEFAULTS = {
  redisUrl: 'redis://127.0.0.1:6379',
  keyPrefix: 'pluto-rt:',
  clientName: 'pluto-rt',
  /** Under the working directory. */
  templatesDir: 'views',
  guardAssets: false,
  insecureDevelopmentMode: false,
  htmx: 2 as HtmxMajor,
  metricsPrefix: 'pluto_rt_',
  routePrefix: 'pluto-rt',
  isGlobal: false,
} as const;
