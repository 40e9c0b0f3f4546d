import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PlutoRtModule, RtQueueService, type PlutoRtModuleOptions } from '../../lib/index.js';
import { queueKey, testPrefix, tombstoneKey } from './redis.js';
import {
  deletePrefix,
  masterAddresses,
  masterAddressOf,
  subscriberCounts,
  type Inspector,
} from './redis-inspect.js';
import { projectRedis, type RedisTarget } from './topology.js';

export const VIEWS_DIR = fileURLToPath(new URL('../fixtures/views', import.meta.url));
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnop';

export interface TestApp {
  app: INestApplication;
  rt: RtQueueService;
  /** `http://127.0.0.1:<port>` */
  url: string;
  prefix: string;
  /** A client of the test's own for inspecting the app's Redis (a Cluster on a cluster). */
  redis: Inspector;
  clientName: string;
  /** The Redis key of queue `name`'s stream. */
  key(name: string): string;
  /** The key that remembers that queue `name` started. */
  tombstone(name: string): string;
  /** Reader subscriptions to the channels of `names`, in all. */
  subscribers(...names: string[]): Promise<number>;
  /** Fresh queue names, `perMaster` on each master (`perMaster` in all on a server). */
  queuesOnEveryMaster(perMaster: number): Promise<string[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** The Redis to run on and inspect (e.g. a private one); the project's by default. */
  redis?: RedisTarget;
  options?: PlutoRtModuleOptions;
  routePrefix?: string;
  imports?: ModuleMetadata['imports'];
  providers?: ModuleMetadata['providers'];
  controllers?: ModuleMetadata['controllers'];
  /** Set up hbs as the view engine over VIEWS_DIR (for partial tests). */
  mvc?: boolean;
}

/** Boots a real Nest app with the module on a free port, against the project's Redis. */
export async function startTestApp(settings: TestAppOptions = {}): Promise<TestApp> {
  const prefix = settings.options?.keyPrefix ?? testPrefix();
  const clientName = settings.options?.clientName ?? `prt-${randomUUID().slice(0, 8)}`;
  const target = settings.redis ?? projectRedis();
  @Module({
    imports: [
      PlutoRtModule.forRoot({
        redis: target.option,
        secret: TEST_SECRET,
        templatesDir: VIEWS_DIR,
        ...settings.options,
        keyPrefix: prefix,
        clientName,
        routePrefix: settings.routePrefix,
      }),
      ...(settings.imports ?? []),
    ],
    providers: settings.providers ?? [],
    controllers: settings.controllers ?? [],
  })
  class TestModule {}

  const app = await NestFactory.create<NestExpressApplication>(TestModule, {
    logger: ['error', 'warn'],
  });
  if (settings.mvc) {
    app.setBaseViewsDir(VIEWS_DIR);
    app.setViewEngine('hbs');
  }
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const redis = target.inspector();
  const rt = app.get(RtQueueService);
  return {
    app,
    rt,
    url: `http://127.0.0.1:${address.port}`,
    prefix,
    redis,
    clientName,
    key: (name) => queueKey(prefix, name),
    tombstone: (name) => tombstoneKey(prefix, name),
    subscribers: async (...names) =>
      (
        await subscriberCounts(
          redis,
          names.map((name) => queueKey(prefix, name)),
        )
      ).reduce((sum, n) => sum + n, 0),
    async queuesOnEveryMaster(perMaster) {
      const byMaster = new Map((await masterAddresses(redis)).map((m) => [m, [] as string[]]));
      while ([...byMaster.values()].some((names) => names.length < perMaster)) {
        const name = rt.createQueueName();
        const names = byMaster.get(await masterAddressOf(redis, queueKey(prefix, name)))!;
        if (names.length < perMaster) names.push(name);
      }
      return [...byMaster.values()].flat();
    },
    async close() {
      await app.close();
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}
