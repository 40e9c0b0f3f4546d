import http from 'node:http';
import { Redis } from 'ioredis';
import { clientCount, subscriberCounts } from '../helpers/redis.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

// A variable specifier: the .mjs script has no type declarations.
const REDIS_ENV = '../../scripts/redis-env.mjs';
const STREAMS = 200;
const QUEUES = 10;
const IDLE_WINDOW_MS = 3_000;

/** Calls per command from INFO commandstats. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls.set(match[1]!, Number(match[2]));
  return calls;
}

function total(calls: Map<string, number>): number {
  return [...calls.values()].reduce((sum, n) => sum + n, 0);
}

/**
 * The acceptance test of the shared reader. It runs against a private redis-server:
 * INFO commandstats is server-wide, and other suites share the default one.
 */
describe('shared reader (e2e)', () => {
  let server: PrivateRedis;
  let redis: Redis;
  let t: TestApp;
  const agent = new http.Agent({ keepAlive: false, maxSockets: 1_000 });
  let queues: string[] = [];
  const clients: RawSseClient[] = [];

  beforeAll(async () => {
    const { startPrivateRedis } = (await import(REDIS_ENV)) as {
      startPrivateRedis(): Promise<PrivateRedis>;
    };
    server = await startPrivateRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    // Keepalives every second and sweeps every 200 ms: several pass in the idle window, and
    // cost Redis nothing (a sweep asks only about queues idle for idleTtlSeconds).
    t = await startTestApp({
      options: { redis: { url: server.url }, keepaliveMs: 1_000, sweepIntervalMs: 200 },
    });
    queues = Array.from({ length: QUEUES }, () => t.rt.createQueueName());
    for (const name of queues) await t.rt.get(name).push({ n: 1, text: 'ready' });
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await waitFor(() => t.rt.stats().streams === 0, 'all streams to be released');
  });

  afterAll(async () => {
    await t?.close();
    await redis?.quit();
    agent.destroy();
    await server?.stop();
  });

  /** Opens `count` streams spread over the queues; resolves once each has its history. */
  async function openStreams(count: number): Promise<RawSseClient[]> {
    const opened = await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const name = queues[(clients.length + i) % QUEUES]!;
        const url = t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
        return RawSseClient.open(url, { agent });
      }),
    );
    clients.push(...opened);
    await Promise.all(opened.map((client) => client.untilItems(1)));
    for (const client of opened) expect(client.status).toBe(200);
    return opened;
  }

  it(`uses as many Redis connections with ${STREAMS} open streams as with 1 (2)`, async () => {
    await openStreams(1);
    const withOne = await clientCount(redis, t.clientName);
    expect(withOne).toBe(2);

    await openStreams(STREAMS - 1);
    expect(t.rt.stats()).toMatchObject({ streams: STREAMS, queues: QUEUES, catchingUp: 0 });
    expect(await clientCount(redis, t.clientName)).toBe(withOne);
  });

  it(`issues no Redis command over ${IDLE_WINDOW_MS / 1000} idle seconds with ${STREAMS} open streams`, async () => {
    const opened = await openStreams(STREAMS);
    const keepalivesBefore = opened.map((client) => client.comments.length);

    const before = await commandCalls(redis);
    // The observation window is the point of this test: Redis must stay quiet through it.
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    const after = await commandCalls(redis);

    // Our own first INFO is counted in the second reading.
    const ownCalls = (after.get('info') ?? 0) - (before.get('info') ?? 0);
    const moduleCalls = total(after) - total(before) - ownCalls;
    expect(moduleCalls).toBe(0);
    // The streams were open and alive all along: keepalive intervals passed on every one.
    opened.forEach((client, i) => {
      expect(client.ended).toBe(false);
      expect(client.comments.length).toBeGreaterThan(keepalivesBefore[i]!);
    });
  });

  it(`releases every stream and reader subscription when ${STREAMS} clients disconnect`, async () => {
    const opened = await openStreams(STREAMS);
    const numsub = () =>
      subscriberCounts(
        redis,
        queues.map((name) => t.key(name)),
      );
    expect(await numsub()).toEqual(queues.map(() => 1));

    for (const client of opened) client.destroy();
    await waitFor(() => {
      const stats = t.rt.stats();
      return stats.streams === 0 && stats.queues === 0 && stats.catchingUp === 0;
    }, 'stats back to zero');
    await waitFor(
      async () => (await numsub()).every((n) => n === 0),
      'the reader to unsubscribe every queue',
    );
    expect(await clientCount(redis, t.clientName)).toBe(2);
  });
});
