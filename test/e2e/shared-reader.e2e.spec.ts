import http from 'node:http';
import { openStreamsWithHistory, type RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  clientCount,
  commandsRun,
  masterAddresses,
  subscriberCounts,
} from '../helpers/redis-inspect.js';
import { startPrivateRedis, type RedisTarget } from '../helpers/topology.js';
import { waitFor } from '../helpers/wait-for.js';

const STREAMS = 200;
/** Queues per master: 10 on a server, 30 on a cluster. */
const QUEUES_PER_MASTER = 10;
const IDLE_WINDOW_MS = 3_000;

/**
 * The acceptance test of the shared reader. It runs against a private Redis of the
 * project's topology (a server, or a cluster of its own): INFO commandstats counts what a
 * node ran for every client, and other suites share the project's Redis.
 */
describe('shared reader (e2e)', () => {
  let server: RedisTarget;
  let t: TestApp;
  /** Masters (1 on a standalone server): the reader subscribes on each master of its queues. */
  let masters: number;
  const agent = new http.Agent({ keepAlive: false, maxSockets: 1_000 });
  let queues: string[] = [];
  const clients: RawSseClient[] = [];

  beforeAll(async () => {
    server = await startPrivateRedis();
    // Keepalives every second and sweeps every 200 ms: several pass in the idle window, and
    // cost Redis nothing (a sweep asks only about queues idle for idleTtlSeconds).
    t = await startTestApp({
      redis: server,
      options: { keepaliveMs: 1_000, sweepIntervalMs: 200 },
    });
    masters = (await masterAddresses(t.redis)).length;
    // Queues on every master, so that each holds a command connection and a subscriber.
    queues = await t.queuesOnEveryMaster(QUEUES_PER_MASTER);
    for (const name of queues) await t.rt.get(name).push({ n: 1, text: 'ready' });
  }, 30_000);

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await waitFor(() => t.rt.stats().streams === 0, 'all streams to be released');
  });

  afterAll(async () => {
    await t?.close();
    agent.destroy();
    await server?.stop();
  });

  /** Opens `count` streams spread over the queues; resolves once each has its history. */
  async function openStreams(count: number): Promise<RawSseClient[]> {
    const urls = Array.from({ length: count }, (_, i) => {
      const name = queues[(clients.length + i) % queues.length]!;
      return t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
    });
    const opened = await openStreamsWithHistory(urls, clients, { agent });
    for (const client of opened) expect(client.status).toBe(200);
    return opened;
  }

  it(`holds a command connection and a subscriber per master, with 1 open stream as with ${STREAMS}`, async () => {
    await openStreams(1);
    // One subscriber so far: on a server, the reader; on a cluster, one on the stream's master.
    expect(await clientCount(t.redis, t.clientName)).toBe(masters + 1);

    await openStreams(STREAMS - 1);
    expect(t.rt.stats()).toMatchObject({ streams: STREAMS, queues: queues.length, catchingUp: 0 });
    expect(await clientCount(t.redis, t.clientName)).toBe(2 * masters);
  });

  it(`issues no Redis command over ${IDLE_WINDOW_MS / 1000} idle seconds with ${STREAMS} open streams`, async () => {
    const opened = await openStreams(STREAMS);
    const keepalivesBefore = opened.map((client) => client.comments.length);

    const before = await commandsRun(server.nodes);
    // The observation window is the point of this test: Redis must stay quiet through it.
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    const after = await commandsRun(server.nodes);

    // On every node (the readings' own commands and replication's are left out).
    expect(after.map((n, i) => n - before[i]!)).toEqual(server.nodes.map(() => 0));
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
        t.redis,
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
    expect(await clientCount(t.redis, t.clientName)).toBe(2 * masters);
  });
});
