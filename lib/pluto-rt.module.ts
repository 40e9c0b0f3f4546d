import { Logger, Module } from '@nestjs/common';
import { PlutoRtAccessGuard } from './http/access.guard.js';
import { GroupEvents } from './http/group/group-events.js';
import { GroupPolls } from './http/group/group-polls.js';
import { GroupStreams } from './http/group/group-streams.js';
import { KeepaliveClock } from './http/keepalive-clock.js';
import { WriteCoalescer } from './http/write-coalescer.js';
import { SseEvents } from './http/sse-events.js';
import { SseStreamLimit } from './http/sse-stream-limit.js';
import {
  PLUTO_RT_CONFIG,
  PLUTO_RT_STREAM_HUB,
  PLUTO_RT_STREAM_STORE,
} from './pluto-rt.constants.js';
import { ConfigurableModuleClass, PLUTO_RT_MODULE_OPTIONS } from './pluto-rt.module-definition.js';
import { resolveOptions } from './options/resolve-options.js';
import type { PlutoRtModuleOptions } from './options/pluto-rt-options.interface.js';
import { PartialsRegistrar } from './partials/partials.registrar.js';
import { RtHealthCheck } from './health/rt-health-check.js';
import { loadMetrics } from './metrics/load-metrics.js';
import { MetricsAttachment } from './metrics/metrics-attachment.js';
import { PLUTO_RT_METRICS } from './metrics/rt-metrics.js';
import type { PlutoRtConfig } from './options/pluto-rt-config.js';
import { StreamHub } from './reader/stream-hub.js';
import { ItemRenderer } from './render/item-renderer.js';
import { TemplateRegistry } from './render/template-registry.js';
import { RtQueueService } from './rt-queue.service.js';
import { UrlSigner } from './security/url-signer.js';
import { RedisConnections } from './store/redis-connections.js';
import { StreamStore } from './store/stream-store.js';

/**
 * Live results of background work: `PlutoRtModule.forRoot({ secret, redis })` (or
 * `forRootAsync`) provides RtQueueService and mounts the SSE, polling and asset routes
 * under `routePrefix`.
 */
@Module({
  providers: [
    {
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
    },
    {
      // prom-client is imported here, and only when the `metrics` option is on.
      provide: PLUTO_RT_METRICS,
      inject: [PLUTO_RT_CONFIG],
      useFactory: (config: PlutoRtConfig) => loadMetrics(config.metrics),
    },
    MetricsAttachment,
    RtHealthCheck,
    RedisConnections,
    StreamStore,
    StreamHub,
    { provide: PLUTO_RT_STREAM_STORE, useExisting: StreamStore },
    { provide: PLUTO_RT_STREAM_HUB, useExisting: StreamHub },
    TemplateRegistry,
    ItemRenderer,
    UrlSigner,
    SseEvents,
    KeepaliveClock,
    WriteCoalescer,
    SseStreamLimit,
    GroupEvents,
    GroupStreams,
    GroupPolls,
    PlutoRtAccessGuard,
    RtQueueService,
    PartialsRegistrar,
  ],
  exports: [RtQueueService, RtHealthCheck],
})
export class PlutoRtModule extends ConfigurableModuleClass {}
