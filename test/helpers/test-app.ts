import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Redis } from 'ioredis';
import { PlutoRtModule, RtQueueService, type PlutoRtModuleOptions } from '../../lib/index.js';
import {
  deletePrefix,
  queueKey,
  REDIS_URL,
  redisClient,
  subscriberCounts,
  testPrefix,
  tombstoneKey,
} from './redis.js';

export const VIEWS_DIR = fileURLToPath(new URL('../fixtures/views', import.meta.url));
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnop';

export interface TestApp {
  app: INestApplication;
  rt: RtQueueService;
  /** `http://127.0.0.1:<port>` */
  url: string;
  prefix: string;
  /** A client of the test's own, for inspecting Redis. */
  redis: Redis;
  clientName: string;
  /** The Redis key of queue `name`'s stream. */
  key(name: string): string;
  /** The key that remembers that queue `name` started. */
  tombstone(name: string): string;
  /** Reader subscriptions to the channels of `names`, in all. */
  subscribers(...names: string[]): Promise<number>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  options?: PlutoRtModuleOptions;
  routePrefix?: string;
  imports?: ModuleMetadata['imports'];
  providers?: ModuleMetadata['providers'];
  controllers?: ModuleMetadata['controllers'];
  /** Set up hbs as the view engine over VIEWS_DIR (for partial tests). */
  mvc?: boolean;
}

/** Boots a real Nest app with the module on a free port, against the test Redis. */
export async function startTestApp(settings: TestAppOptions = {}): Promise<TestApp> {
  const prefix = settings.options?.keyPrefix ?? testPrefix();
  const clientName = settings.options?.clientName ?? `prt-${randomUUID().slice(0, 8)}`;
  @Module({
    imports: [
      PlutoRtModule.forRoot({
        redis: { url: REDIS_URL },
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
  const redis = redisClient();
  return {
    app,
    rt: app.get(RtQueueService),
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
    async close() {
      await app.close();
      await deletePrefix(redis, prefix);
      await redis.quit();
    },
  };
}
