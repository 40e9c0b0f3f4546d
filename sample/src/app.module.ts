import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { PlutoRtModule } from 'nestjs-pluto-rt';
import { fileURLToPath } from 'node:url';
import { bullConnection } from './bull-connection.js';
import { SampleConfigModule } from './sample-config.module.js';
import type { SampleConfig } from './sample-config.js';
import { WebModule } from './web/web.module.js';
import { WorkerModule } from './worker/worker.module.js';

/** The hbs views; the item templates are its pluto_rt/ folder. */
export const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));

@Module({})
export class AppModule {
  /**
   * The web app, the worker, or both, as `config.role` says; `ops` (see load-ops.ts) adds
   * /health and /metrics, and turns the module's metrics on.
   */
  static forRole(config: SampleConfig, ops?: Type): DynamicModule {
    const bull = bullConnection(config);
    return {
      module: AppModule,
      // Closes BullMQ's connection after BullMQ's own shutdown (the root module goes last).
      providers: [{ provide: 'BULL_CONNECTION', useValue: { onApplicationShutdown: bull.close } }],
      imports: [
        SampleConfigModule.forRoot(config),
        PlutoRtModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({
            redis: config.redisCluster
              ? { cluster: { nodes: config.redisCluster } }
              : { url: config.redisUrl },
            secret: process.env.PLUTO_RT_SECRET,
            // Without a secret, URLs are signed with a random per-process one (and a warning
            // says so): fine on a laptop, not behind a load balancer.
            insecureDevelopmentMode: !process.env.PLUTO_RT_SECRET,
            templatesDir: VIEWS_DIR,
            keyPrefix: process.env.PLUTO_RT_KEY_PREFIX ?? 'pluto-rt:',
            // HTMX_MAJOR=4 serves every page on htmx 4; unset, the module's default.
            ...(config.htmxMajor ? { htmx: config.htmxMajor } : {}),
            // Prometheus metrics in prom-client's default registry, served on /metrics.
            metrics: ops !== undefined,
          }),
        }),
        BullModule.forRoot({ connection: bull.connection, prefix: bull.prefix }),
        ...(config.role === 'worker' ? [] : [WebModule]),
        ...(config.role === 'web' ? [] : [WorkerModule]),
        ...(ops ? [ops] : []),
      ],
    };
  }
}
