import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { PlutoRtModule } from 'nestjs-pluto-rt';
import { fileURLToPath } from 'node:url';
import { bullConnection } from './bull-connection.js';
import { LIFE_JOBS } from './demos/demo-jobs.js';
import { SampleConfigModule } from './sample-config.module.js';
import type { SampleConfig } from './sample-config.js';
import { WebModule } from './web/web.module.js';
import { WorkerModule } from './worker/worker.module.js';

/** Public, so for development only: see PLUTO_RT_SECRET in sample/README.md. */
const SAMPLE_DEVELOPMENT_SECRET = 'nestjs-pluto-rt-sample-development-secret-not-for-production';

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
            // Without PLUTO_RT_SECRET, the sample's development secret: every web and worker
            // process must share one (URLs, and the queues bound to jobs). It is public: set
            // your own anywhere but on your laptop.
            secret: process.env.PLUTO_RT_SECRET ?? SAMPLE_DEVELOPMENT_SECRET,
            // The module tells these jobs' pages how they live (demo-jobs.ts).
            followJobs: [LIFE_JOBS],
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
