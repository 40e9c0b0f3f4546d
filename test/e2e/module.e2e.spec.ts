import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { lastValueFrom, toArray } from 'rxjs';
import request from 'supertest';
import { PlutoRtModule, RtQueueService, type PlutoRtModuleOptions } from '../../lib/index.js';
import { queueKey, REDIS_URL, redisClient, testPrefix, tombstoneKey } from '../helpers/redis.js';
import { clientCount, deletePrefix } from '../helpers/redis-inspect.js';
import { startTestApp, TEST_SECRET, VIEWS_DIR } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

/** Options of a module under test: the test Redis, its own key prefix and client name. */
function baseOptions(): PlutoRtModuleOptions & { keyPrefix: string; clientName: string } {
  return {
    redis: { url: REDIS_URL },
    secret: TEST_SECRET,
    templatesDir: VIEWS_DIR,
    keyPrefix: testPrefix(),
    clientName: `prt-mod-${randomUUID().slice(0, 8)}`,
  };
}

/** An app module that imports `imports`. */
function rootModule(imports: Array<DynamicModule | Type>): Type {
  @Module({ imports })
  class RootModule {}
  return RootModule;
}

interface Booted {
  app: INestApplication;
  url: string;
}

async function boot(root: Type, logger: LoggerService | false = false): Promise<Booted> {
  const app = await NestFactory.create(root, { logger, abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}` };
}

/** The error NestFactory.create fails with for `root` (fails the test if it boots). */
async function bootError(root: Type): Promise<Error> {
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(root, { logger: false, abortOnError: false });
  } catch (err) {
    return err as Error;
  }
  await app.close();
  throw new Error('the app booted');
}

/**
 * Pushes and completes a queue through `rt`, then polls it over HTTP: 286 with the item.
 * Resolves to the queue's name.
 */
async function roundTrip(rt: RtQueueService, url: string): Promise<string> {
  const name = rt.createQueueName();
  await rt.get(name).push({ n: 1, text: 'hello' });
  await rt.get(name).complete();
  // Both connections work: stream() reads through the reader, the poll route through commands.
  const messages = await lastValueFrom(rt.stream(name).pipe(toArray()));
  expect(messages).toEqual([
    { id: expect.stringMatching(/^\d+-\d+$/), item: { n: 1, text: 'hello' } },
  ]);
  const res = await request(url).get(
    `${rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).poll}&el=p&target=%23r`,
  );
  expect(res.status).toBe(286);
  expect(res.text).toContain('<li class="item" data-n="1">hello</li>');
  return name;
}

/** The keys one completed queue leaves under `keyPrefix`: its stream and its tombstone. */
function completedQueueKeys(keyPrefix: string, name: string): string[] {
  return [queueKey(keyPrefix, name), tombstoneKey(keyPrefix, name)];
}

/** Ids of the connections in CLIENT LIST named `name`. */
async function clientIds(redis: Redis, name: string): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map((line) => /^id=(\d+)/.exec(line)![1]!);
}

interface ResourceCount {
  sockets: number;
  timers: number;
  all: string[];
}

/** Open sockets (TCP, pipes, servers) and pending timers of this process. */
function resources(): ResourceCount {
  const all = process.getActiveResourcesInfo();
  return {
    sockets: all.filter((r) => /^(TCPSocketWrap|TCPServerWrap|PipeWrap|TLSWrap)$/.test(r)).length,
    timers: all.filter((r) => /^(Timeout|Immediate)$/.test(r)).length,
    all,
  };
}

/** The resources once earlier activity has settled: no socket mid-shutdown, same count twice. */
async function settledResources(): Promise<ResourceCount> {
  let previous = resources();
  return waitFor(async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = resources();
    const stable =
      now.sockets === previous.sockets &&
      now.timers === previous.timers &&
      !now.all.some((r) => /Shutdown/.test(r));
    previous = now;
    return stable ? now : undefined;
  }, 'a settled resource baseline');
}

/** A Nest logger that keeps every line, with its level and context. */
class RecordingLogger implements LoggerService {
  readonly lines: Array<{ level: string; message: string; context: unknown }> = [];
  log = this.recorder('log');
  error = this.recorder('error');
  warn = this.recorder('warn');
  debug = this.recorder('debug');
  verbose = this.recorder('verbose');
  fatal = this.recorder('fatal');

  private recorder(level: string) {
    return (message: unknown, ...params: unknown[]) => {
      this.lines.push({ level, message: String(message), context: params.at(-1) });
    };
  }
}

// A ConfigModule look-alike: the async factory reads its options from an injected service.
const APP_CONFIG = Symbol('APP_CONFIG');

class AppConfig {
  constructor(private readonly values: Record<string, unknown>) {}
  get<T>(key: string): T {
    return this.values[key] as T;
  }
}

function appConfigModule(values: Record<string, unknown>): DynamicModule {
  return {
    module: class AppConfigModule {},
    providers: [{ provide: APP_CONFIG, useValue: new AppConfig(values) }],
    exports: [APP_CONFIG],
  };
}

// A feature module that injects RtQueueService without importing PlutoRtModule.
@Injectable()
class ReportService {
  constructor(@Inject(RtQueueService) readonly rt: RtQueueService) {}
}

@Module({ providers: [ReportService], exports: [ReportService] })
class ReportModule {}

describe('PlutoRtModule', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  beforeAll(() => {
    redis = redisClient();
  });
  afterAll(async () => {
    for (const prefix of prefixes) await deletePrefix(redis, prefix);
    await redis.quit();
  });

  /** baseOptions(), with the key prefix noted for cleanup. */
  function options(): ReturnType<typeof baseOptions> {
    const o = baseOptions();
    prefixes.push(o.keyPrefix);
    return o;
  }

  it('forRoot provides RtQueueService', async () => {
    const o = options();
    const { app, url } = await boot(rootModule([PlutoRtModule.forRoot(o)]));
    try {
      const rt = app.get(RtQueueService);
      expect(rt).toBeInstanceOf(RtQueueService);
      const name = await roundTrip(rt, url);
      expect((await redis.keys(`${o.keyPrefix}*`)).sort()).toEqual(
        completedQueueKeys(o.keyPrefix, name),
      );
    } finally {
      await app.close();
    }
  });

  it('forRootAsync takes its options from an injected config provider', async () => {
    const o = options();
    const calls: unknown[][] = [];
    const factory = (...args: [AppConfig]) => {
      calls.push(args);
      const [config] = args;
      return {
        redis: { url: config.get<string>('REDIS_URL') },
        secret: config.get<string>('RT_SECRET'),
        templatesDir: VIEWS_DIR,
        keyPrefix: config.get<string>('RT_PREFIX'),
        clientName: o.clientName,
      };
    };
    const root = rootModule([
      PlutoRtModule.forRootAsync({
        imports: [appConfigModule({ REDIS_URL, RT_SECRET: TEST_SECRET, RT_PREFIX: o.keyPrefix })],
        inject: [APP_CONFIG],
        useFactory: factory,
      }),
    ]);
    const { app, url } = await boot(root);
    try {
      expect(calls).toHaveLength(1);
      expect(calls[0]![0]).toBeInstanceOf(AppConfig);
      const rt = app.get(RtQueueService);
      const name = await roundTrip(rt, url);
      // The factory's keyPrefix is the one in use.
      expect((await redis.keys(`${o.keyPrefix}*`)).sort()).toEqual(
        completedQueueKeys(o.keyPrefix, name),
      );
      expect(await clientCount(redis, o.clientName)).toBe(2);
    } finally {
      await app.close();
    }
  });

  it('forRootAsync accepts an async factory', async () => {
    const o = options();
    const root = rootModule([PlutoRtModule.forRootAsync({ useFactory: async () => o })]);
    const { app, url } = await boot(root);
    try {
      await roundTrip(app.get(RtQueueService), url);
    } finally {
      await app.close();
    }
  });

  describe('isGlobal', () => {
    it('makes RtQueueService injectable in a module that does not import PlutoRtModule (forRoot)', async () => {
      const { app, url } = await boot(
        rootModule([PlutoRtModule.forRoot({ ...options(), isGlobal: true }), ReportModule]),
      );
      try {
        const rt = app.get(ReportService).rt;
        expect(rt).toBe(app.get(RtQueueService));
        await roundTrip(rt, url);
      } finally {
        await app.close();
      }
    });

    it('works for forRootAsync too', async () => {
      const o = options();
      const root = rootModule([
        PlutoRtModule.forRootAsync({ useFactory: () => o, isGlobal: true }),
        ReportModule,
      ]);
      const { app } = await boot(root);
      try {
        expect(app.get(ReportService).rt).toBeInstanceOf(RtQueueService);
      } finally {
        await app.close();
      }
    });

    it('without it, such a module fails to resolve RtQueueService', async () => {
      // A lazy client of the test's own: the failed boot cannot leave a connection behind
      // (see 'a boot that fails elsewhere ...' below for why that matters).
      const lazy = new Redis(REDIS_URL, { lazyConnect: true });
      try {
        const err = await bootError(
          rootModule([
            PlutoRtModule.forRoot({ ...options(), redis: { client: lazy } }),
            ReportModule,
          ]),
        );
        expect(err.message).toMatch(/RtQueueService/);
        expect(err.message).toMatch(/ReportService/);
      } finally {
        lazy.disconnect();
      }
    });
  });

  describe('routePrefix', () => {
    it('mounts the routes under a custom prefix, and not under the default', async () => {
      const root = rootModule([PlutoRtModule.forRoot({ ...options(), routePrefix: 'live/rt' })]);
      const { app, url } = await boot(root);
      try {
        await request(url).get('/live/rt/assets/htmx.min.js').expect(200);
        await request(url).get('/pluto-rt/assets/htmx.min.js').expect(404);
        const rt = app.get(RtQueueService);
        const name = rt.createQueueName();
        await rt.get(name).push({ n: 1, text: 'x' });
        await rt.get(name).complete();
        const urls = rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
        expect(urls.poll.startsWith(`/live/rt/poll/${name}?`)).toBe(true);
        expect(urls.sse.startsWith(`/live/rt/sse/${name}?`)).toBe(true);
        await request(url).get(`${urls.poll}&el=p&target=%23r`).expect(286);
        await request(url)
          .get(urls.poll.replace('/live/rt/', '/pluto-rt/') + '&el=p&target=%23r')
          .expect(404);
      } finally {
        await app.close();
      }
    });

    it('is taken beside useFactory in forRootAsync', async () => {
      const o = options();
      const root = rootModule([
        PlutoRtModule.forRootAsync({ useFactory: () => o, routePrefix: 'async-rt' }),
      ]);
      const { app, url } = await boot(root);
      try {
        await request(url).get('/async-rt/assets/htmx.min.js').expect(200);
        await request(url).get('/pluto-rt/assets/htmx.min.js').expect(404);
      } finally {
        await app.close();
      }
    });

    it('defaults to pluto-rt', async () => {
      const { app, url } = await boot(rootModule([PlutoRtModule.forRoot(options())]));
      try {
        await request(url).get('/pluto-rt/assets/htmx.min.js').expect(200);
      } finally {
        await app.close();
      }
    });

    it('refuses a prefix that is not path segments, naming the option', () => {
      expect(() => PlutoRtModule.forRoot({ ...options(), routePrefix: '../x' })).toThrow(
        /"routePrefix"/,
      );
      expect(() => PlutoRtModule.forRoot({ ...options(), routePrefix: '/rt' })).toThrow(
        /"routePrefix"/,
      );
    });
  });

  describe('bad options fail NestFactory.create with a message naming the option', () => {
    it.each<[string, Partial<PlutoRtModuleOptions>, string]>([
      ['keepaliveMs: -1', { keepaliveMs: -1 }, 'keepaliveMs'],
      ['maxMessages: 0', { maxMessages: 0 }, 'maxMessages'],
      ['missing secret', { secret: undefined }, 'secret'],
      ['a bad redis url', { redis: { url: 'http://nope' } }, 'redis.url'],
    ])('forRoot with %s', async (_what, bad, option) => {
      const o = options();
      const err = await bootError(rootModule([PlutoRtModule.forRoot({ ...o, ...bad })]));
      expect(err.message).toContain(`"${option}"`);
      // Nothing was connected before the options were refused.
      expect(await clientCount(redis, o.clientName)).toBe(0);
    });

    it('forRootAsync whose factory returns a bad option', async () => {
      const o = options();
      const err = await bootError(
        rootModule([
          PlutoRtModule.forRootAsync({ useFactory: () => ({ ...o, idleTtlSeconds: 0 }) }),
        ]),
      );
      expect(err.message).toContain('"idleTtlSeconds"');
    });

    it('the missing-secret message says how to use insecureDevelopmentMode', async () => {
      const err = await bootError(
        rootModule([PlutoRtModule.forRoot({ ...options(), secret: undefined })]),
      );
      expect(err.message).toContain('insecureDevelopmentMode');
    });
  });

  describe('insecureDevelopmentMode', () => {
    const mentionsDevMode = (line: { message: string }) =>
      line.message.includes('insecureDevelopmentMode');

    it('without a secret: boots with a random secret, warns once through the Nest logger, and its URLs work', async () => {
      const logger = new RecordingLogger();
      const o = { ...options(), secret: undefined, insecureDevelopmentMode: true };
      const { app, url } = await boot(rootModule([PlutoRtModule.forRoot(o)]), logger);
      try {
        // Signed with the random secret, checked by the same process.
        await roundTrip(app.get(RtQueueService), url);
      } finally {
        await app.close();
      }
      // Once over the app's whole life (boot, requests, close), as a warning of the module.
      expect(logger.lines.filter(mentionsDevMode)).toEqual([
        {
          level: 'warn',
          message: expect.stringMatching(/random per-process secret.*set "secret" in production/),
          context: 'PlutoRt',
        },
      ]);
    });

    it('with a secret: no such warning', async () => {
      const logger = new RecordingLogger();
      const o = { ...options(), insecureDevelopmentMode: true };
      const { app, url } = await boot(rootModule([PlutoRtModule.forRoot(o)]), logger);
      try {
        await roundTrip(app.get(RtQueueService), url);
      } finally {
        await app.close();
      }
      expect(logger.lines.filter(mentionsDevMode)).toEqual([]);
      // The logger did receive the app's lines: the silence above is not a deaf logger.
      expect(logger.lines.length).toBeGreaterThan(0);
    });
  });

  describe('Redis connections', () => {
    it('uses an existing client for commands and does not close it; closes its own reader', async () => {
      const o = options();
      const givenName = `prt-given-${randomUUID().slice(0, 8)}`;
      const given = new Redis(REDIS_URL, { connectionName: givenName });
      await given.ping();
      try {
        const { app, url } = await boot(
          rootModule([PlutoRtModule.forRoot({ ...o, redis: { client: given } })]),
        );
        try {
          const rt = app.get(RtQueueService);
          // The module makes one connection of its own (the reader); commands go through `given`.
          await waitFor(
            async () => (await clientCount(redis, o.clientName)) === 1,
            'the module reader to connect',
          );
          expect(await clientCount(redis, givenName)).toBe(1);
          await rt.get(rt.createQueueName()).push({ n: 1 });
          const list = (await redis.client('LIST')) as string;
          const givenLine = list.split('\n').find((line) => line.includes(` name=${givenName} `));
          expect(givenLine).toMatch(/ cmd=(evalsha|eval) /);
          await roundTrip(rt, url);
        } finally {
          await app.close();
        }
        expect(given.status).toBe('ready');
        expect(await given.ping()).toBe('PONG');
        expect(await clientCount(redis, givenName)).toBe(1);
        await waitFor(
          async () => (await clientCount(redis, o.clientName)) === 0,
          'the module reader to close',
        );
      } finally {
        await given.quit();
      }
    });

    it('leaves no listener on an existing client across 20 app starts and closes', async () => {
      const given = new Redis(REDIS_URL);
      await given.ping();
      const listeners = () =>
        Object.fromEntries(
          given.eventNames().map((name) => [String(name), given.listenerCount(name)]),
        );
      const before = listeners();
      try {
        for (let cycle = 0; cycle < 20; cycle++) {
          const { app } = await boot(
            rootModule([PlutoRtModule.forRoot({ ...options(), redis: { client: given } })]),
          );
          const rt = app.get(RtQueueService);
          await rt.get(rt.createQueueName()).push({ cycle });
          await app.close();
        }
        expect(listeners()).toEqual(before);
      } finally {
        await given.quit();
      }
    });

    it('uses an existing client made with lazyConnect (not yet connected), and does not close it', async () => {
      const o = options();
      const lazy = new Redis(REDIS_URL, { lazyConnect: true });
      try {
        const { app, url } = await boot(
          rootModule([PlutoRtModule.forRoot({ ...o, redis: { client: lazy } })]),
        );
        try {
          await roundTrip(app.get(RtQueueService), url);
        } finally {
          await app.close();
        }
        expect(lazy.status).toBe('ready');
      } finally {
        lazy.disconnect();
      }
    });

    it('a boot that fails elsewhere (another provider cannot be resolved) leaves no Redis connection open', async () => {
      const o = options();
      // No reconnects: should connections leak, killing them below ends them for good.
      const leaky = { ...o, redis: { url: REDIS_URL, options: { retryStrategy: () => null } } };
      const err = await bootError(rootModule([PlutoRtModule.forRoot(leaky), ReportModule]));
      expect(err.message).toMatch(/RtQueueService/);
      // Proving a negative needs a window: a connection opens within a few ms if it opens at all.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const leaked = await clientIds(redis, o.clientName);
      for (const id of leaked) await redis.client('KILL', 'ID', id);
      expect(leaked).toHaveLength(0);
    });

    it('holds two connections named clientName, and closes both on app.close()', async () => {
      const o = options();
      const { app, url } = await boot(rootModule([PlutoRtModule.forRoot(o)]));
      try {
        await roundTrip(app.get(RtQueueService), url);
        expect(await clientCount(redis, o.clientName)).toBe(2);
      } finally {
        await app.close();
      }
      await waitFor(
        async () => (await clientCount(redis, o.clientName)) === 0,
        'no connection named clientName',
      );
    });
  });

  it('app.close() leaves no Redis connection and no more sockets or timers than before', async () => {
    const baseline = await settledResources();
    const t = await startTestApp();
    const clientName = t.clientName;
    try {
      const name = t.rt.createQueueName();
      const q = t.rt.get(name);
      await q.push({ n: 1, text: 'one' });
      await q.progress(1, 2);
      // A live stream() subscription, still open while the app closes.
      const seen: unknown[] = [];
      const subscription = t.rt
        .stream(name)
        .subscribe({ next: (m) => seen.push(m.item), error: () => undefined });
      await waitFor(() => seen.length === 2, 'the stream to deliver the history');
      const poll = `${t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).poll}&el=p&target=%23r`;
      await request(t.url).get(poll).expect(200);
      expect(await clientCount(redis, clientName)).toBe(2);
      // The measure sees the app: its server, two Redis connections and the helper's client.
      expect(resources().sockets).toBeGreaterThanOrEqual(baseline.sockets + 4);
      await t.close();
      subscription.unsubscribe();
    } catch (err) {
      await t.close().catch(() => undefined);
      throw err;
    }
    expect(await clientCount(redis, clientName)).toBe(0);
    await waitFor(() => {
      const now = resources();
      return now.sockets <= baseline.sockets && now.timers <= baseline.timers;
    }, 'sockets and timers to return to the baseline').catch((err: Error) => {
      throw new Error(
        `${err.message}: before ${JSON.stringify(baseline)}, now ${JSON.stringify(resources())}`,
      );
    });
  });
});
