import { Logger, type Provider } from '@nestjs/common';
import { PlutoRtAccessGuard } from './http/access.guard.js';
import { GroupEvents } from './http/group/group-events.js';
import { GroupPolls } from './http/group/group-polls.js';
import { GroupStreams } from './http/group/group-streams.js';
import { KeepaliveClock } from './http/keepalive-clock.js';
import { SseEvents } from './http/sse-events.js';
import { SseStreamLimit } from './http/sse-stream-limit.js';
import { WriteCoalescer } from './http/write-coalescer.js';
import { CancelChannel } from './jobs/cancel-channel.js';
import { JobCancels } from './jobs/job-cancels.js';
import { QueueCancels } from './jobs/queue-cancels.js';
import { JobFollower } from './jobs/job-follower.js';
import { RtHealthCheck } from './health/rt-health-check.js';
import { loadMetrics } from './metrics/load-metrics.js';
import { MetricsAttachment } from './metrics/metrics-attachment.js';
import type { PlutoRtConfig } from './options/pluto-rt-config.js';
import type { PlutoRtModuleOptions } from './options/pluto-rt-options.interface.js';
import { resolveOptions } from './options/resolve-options.js';
import { PartialsRegistrar } from './partials/partials.registrar.js';
import {
  PLUTO_RT_CONFIG,
  PLUTO_RT_METRICS,
  PLUTO_RT_MODULE_OPTIONS,
  PLUTO_RT_QUEUE_SIGNALS,
  PLUTO_RT_STREAM_HUB,
  PLUTO_RT_STREAM_STORE,
} from './pluto-rt.constants.js';
import { StreamHub } from './reader/stream-hub.js';
import { ItemRenderer } from './render/item-renderer.js';
import { TemplateRegistry } from './render/template-registry.js';
import { RtQueueService } from './rt-queue.service.js';
import { UrlSigner } from './security/url-signer.js';
import { RedisConnections } from './store/redis-connections.js';
import { StreamStore } from './store/stream-store.js';

/** The options, merged with the defaults and checked: one factory for forRoot and forRootAsync. */
const configProvider: Provider = {
  provide: PLUTO_RT_CONFIG,
  inject: [PLUTO_RT_MODULE_OPTIONS],
  useFactory: (options: PlutoRtModuleOptions) => {
    const config = resolveOptions(options);
    if (config.secretIsEphemeral) {
      new Logger('PlutoRt').warn(
        'insecureDevelopmentMode: stream URLs are signed with a random per-process secret; set "secret" in production',
      );
    }
    return config;
  },
};

/** The metrics sink: prom-client is imported here, and only when the `metrics` option is on. */
const metricsProvider: Provider = {
  provide: PLUTO_RT_METRICS,
  inject: [PLUTO_RT_CONFIG],
  useFactory: (config: PlutoRtConfig) => loadMetrics(config.metrics),
};

/** Every provider of the module, by the part of the data path it serves. */
export const PLUTO_RT_PROVIDERS: Provider[] = [
  configProvider,
  metricsProvider,
  MetricsAttachment,
  RtHealthCheck,
  // Redis: connections, the stream store, the shared reader.
  RedisConnections,
  StreamStore,
  StreamHub,
  { provide: PLUTO_RT_STREAM_STORE, useExisting: StreamStore },
  { provide: PLUTO_RT_STREAM_HUB, useExisting: StreamHub },
  // Rendering and signing.
  TemplateRegistry,
  ItemRenderer,
  UrlSigner,
  // HTTP: events, keepalives, writes, the stream limit, groups, the app's guards.
  SseEvents,
  KeepaliveClock,
  WriteCoalescer,
  SseStreamLimit,
  GroupEvents,
  GroupStreams,
  GroupPolls,
  PlutoRtAccessGuard,
  // The API and the view partials; the jobs it follows.
  RtQueueService,
  JobFollower,
  CancelChannel,
  JobCancels,
  QueueCancels,
  {
    provide: PLUTO_RT_QUEUE_SIGNALS,
    useFactory: (cancels: QueueCancels) => cancels.signals,
    inject: [QueueCancels],
  },
  PartialsRegistrar,
];
