import type { CanActivate, Type } from '@nestjs/common';
import type { HtmxMajor } from '../markup/htmx-dialect.js';
import type {
  PlutoRtMetricsRegistry,
  PlutoRtRedisOptions,
  PlutoRtWaitForReplicas,
} from './pluto-rt-options.interface.js';

/** Options after defaults and validation: what the providers read. */
export interface PlutoRtConfig {
  redis: PlutoRtRedisOptions & { pubsub: 'auto' | 'sharded' | 'classic' };
  waitForReplicas?: PlutoRtWaitForReplicas;
  keyPrefix: string;
  clientName: string;
  keepaliveMs: number;
  sseRetryMs: number;
  completedTtlSeconds: number;
  idleTtlSeconds: number;
  startTimeoutSeconds: number;
  maxMessages: number;
  maxMessageBytes: number;
  maxStreams: number;
  commandTimeoutMs: number;
  templatesDir: string;
  secret: string;
  secretIsEphemeral: boolean;
  urlTtlSeconds: number;
  guards: Array<Type<CanActivate> | CanActivate>;
  guardAssets: boolean;
  sweepIntervalMs: number;
  htmx: HtmxMajor;
  /** The BullMQ queues whose jobs the module follows (see jobs/job-follower); none by default. */
  followJobs: string[];
  /** Prometheus metrics; undefined when off. */
  metrics?: { registry?: PlutoRtMetricsRegistry; prefix: string };
}
