import { itemNs } from '../helpers/merged-events.js';
import type { RedisOptions } from 'ioredis';
import request from 'supertest';
import { RtRedisUnavailableError } from '../../lib/index.js';
import { PacedProducer } from './helpers/paced-producer.js';
import { watchProcess, type ProcessWatch } from './helpers/process-watch.js';
import { redisEnv, RestartableRedis } from './helpers/restartable-redis.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const COMMAND_TIMEOUT_MS = 500;
/**
 * A push while Redis is down must settle with its error, not hang: this allows several times
 * commandTimeoutMs, so that a slow or shared machine does not fail it. How close to
 * commandTimeoutMs it comes is a figure of the bench ("push rejection latency while Redis is
 * down"), not of this test.
 */
const NOT_HUNG_MS = COMMAND_TIMEOUT_MS * 6;
const STREAMS = 3;

describe('Redis restart in the middle of a job', () => {
  let watch: ProcessWatch;
  beforeEach(() => {
    watch = watchProcess();
  });
  afterEach(() => watch.stop());

  it('open streams resume with every later message; outage pushes reject, none hangs; nothing crashes', async () => {
    const redis = await RestartableRedis.start();
    const t = await startTestApp({
      options: { redis: { url: redis.url }, commandTimeoutMs: COMMAND_TIMEOUT_MS },
    });
    try {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await queue.push({ n: -1, text: 'before the streams' });
      const { sse } = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
      const poll = t.rt.rtUrls(name).poll;
      // Raw clients never reconnect: what they get after the restart came over the same stream.
      const clients = await Promise.all(
        Array.from({ length: STREAMS }, () => RawSseClient.open(t.url + sse)),
      );
      await Promise.all(clients.map((c) => c.untilItems(1)));

      // Up to 3 pushes on their way at once, from two handles: they must be stored (and
      // reach the streams) in call order across the restart.
      const producer = new PacedProducer(queue, 5, 0, { inFlight: 3, handles: [t.rt.get(name)] });
      await waitFor(() => producer.ok.length >= 50, '50 pushes before the outage');

      const stopping = Date.now();
      await redis.stop();
      const stopped = Date.now();
      await waitFor(
        () => producer.failed.filter((o) => o.startedAt > stopped).length >= 3,
        '3 pushes during the outage',
      );
      // Meanwhile the routes answer 503, plainly.
      const sseDuring = await request(t.url).get(sse).set('Accept', 'text/event-stream');
      const pollDuring = await request(t.url).get(poll);
      expect([sseDuring.status, pollDuring.status]).toEqual([503, 503]);
      expect(sseDuring.text).toMatch(/unavailable/i);

      await redis.startAgain();
      const restarted = Date.now();
      await waitFor(
        () => producer.ok.filter((o) => o.startedAt > restarted).length >= 50,
        '50 pushes after the restart',
        20_000,
      );
      await producer.stop();
      await queue.complete();
      await Promise.all(
        clients.map((c) =>
          c.until(() => c.events.some((e) => e.event === 'close'), 'event: close', 15_000),
        ),
      );

      // Pushes that began once Redis was down: every one rejected with the typed error, none hung.
      const outage = producer.outcomes.filter(
        (o) => o.startedAt >= stopped && o.error !== undefined,
      );
      const latencies = outage.map((o) => o.settledAt - o.startedAt);
      const maxLatency = Math.max(...latencies);
      expect(outage.every((o) => o.error instanceof RtRedisUnavailableError)).toBe(true);
      expect(maxLatency).toBeLessThanOrEqual(NOT_HUNG_MS);

      // A push in flight as Redis went down may have been written with its reply lost.
      const inFlight = new Set(
        producer.failed.filter((o) => o.startedAt < stopped).map((o) => o.n),
      );
      const okNs = producer.ok.map((o) => o.n);
      for (const client of clients) {
        const got = client.items.flatMap((e) => itemNs(e.data));
        const ids = client.items.map((e) => e.id!);
        expect(new Set(ids).size).toBe(ids.length);
        expect(got.filter((n) => !inFlight.has(n))).toEqual([-1, ...okNs]);
        expect(client.events.at(-1)).toMatchObject({ event: 'close', data: 'complete' });
      }
      const received = clients[0]!.items.length;
      process.stdout.write(
        `[redis-restart] pushed ok ${okNs.length + 1}, rejected during outage ${outage.length} (max ${maxLatency} ms; commandTimeoutMs ${COMMAND_TIMEOUT_MS}, allowed ${NOT_HUNG_MS}), ` +
          `in flight at stop ${inFlight.size}, received per stream ${received}, outage ${stopped - stopping} ms stop + ${restarted - stopped} ms down\n`,
      );
      // The app kept serving throughout, and let go of everything.
      expect((await request(t.url).get(poll)).status).toBe(200);
      await waitFor(() => t.rt.stats().streams === 0, 'streams released');
      expect(watch.rejections).toEqual([]);
      expect(watch.exceptions).toEqual([]);
    } finally {
      await t.close();
      await redis.destroy();
    }
  }, 60_000);

  it('an open stream survives the reader reconnecting well before the command connection', async () => {
    const redis = await RestartableRedis.start();
    // Each connection has its own backoff (here: the reader's short, the command
    // connection's long, as jittered backoffs can turn out): the reader is back first.
    const retryStrategy = function (this: RedisOptions): number {
      return this.autoResubscribe === false ? 20 : COMMAND_TIMEOUT_MS * 3;
    };
    const t = await startTestApp({
      options: {
        redis: { url: redis.url, options: { retryStrategy } },
        commandTimeoutMs: COMMAND_TIMEOUT_MS,
      },
    });
    try {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await queue.push({ n: 1, text: 'one' });
      const client = await RawSseClient.open(
        t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse,
      );
      await client.untilItems(1);
      await redis.stop();
      await redis.startAgain();
      await waitFor(
        async () => (await queue.push({ n: 2, text: 'two' }).catch(() => undefined)) !== undefined,
        'a push after the restart',
        10_000,
      );
      await queue.complete();
      await client.until(
        () => client.events.some((e) => e.event === 'close'),
        'event: close',
        10_000,
      );
      expect(client.items.flatMap((e) => itemNs(e.data))).toEqual([1, 2]);
      expect(watch.rejections).toEqual([]);
    } finally {
      await t.close();
      await redis.destroy();
    }
  }, 30_000);

  it('a burst of 50 concurrent pushes while Redis is down: each rejects, none hangs, with no listener-leak warning', async () => {
    const env = await redisEnv();
    const server = await env.startPrivateRedis();
    const t = await startTestApp({
      options: { redis: { url: server.url }, commandTimeoutMs: COMMAND_TIMEOUT_MS },
    });
    try {
      const queue = t.rt.get(t.rt.createQueueName());
      await queue.push({ n: 0, text: 'while up' });
      await server.stop();
      // Until the client has seen the server go, a push fails at once: wait for the
      // reconnecting state, where each push waits for the connection up to the bound.
      await waitFor(
        async () =>
          /not connected within/.test(
            String(await queue.push({ n: -1, text: 'probe' }).catch((err: unknown) => err)),
          ),
        'the client to be reconnecting',
      );
      const started = Date.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 50 }, (_, n) => queue.push({ n, text: 'burst' })),
      );
      const elapsed = Date.now() - started;
      process.stdout.write(
        `[redis-restart] burst of 50 pushes while down: all settled in ${elapsed} ms, warnings ${JSON.stringify(watch.warnings.map((w) => w.message))}\n`,
      );
      expect(
        outcomes.every(
          (o) => o.status === 'rejected' && o.reason instanceof RtRedisUnavailableError,
        ),
      ).toBe(true);
      expect(elapsed).toBeLessThanOrEqual(NOT_HUNG_MS);
      expect(watch.warnings.map((w) => w.name)).toEqual([]);
    } finally {
      await t.close();
      await server.stop();
    }
  }, 30_000);

  it('a restart that lost the data ends open streams with event: close / gone instead of leaving them hanging', async () => {
    const env = await redisEnv();
    let server = await env.startPrivateRedis();
    const t = await startTestApp({
      options: { redis: { url: server.url }, commandTimeoutMs: COMMAND_TIMEOUT_MS },
    });
    try {
      const name = t.rt.createQueueName();
      await t.rt.get(name).push({ n: 1, text: 'one' });
      const client = await RawSseClient.open(
        t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse,
      );
      await client.untilItems(1);
      await server.stop();
      server = await env.startPrivateRedis(server.port);
      await client.until(
        () => client.events.some((e) => e.event === 'close'),
        'event: close',
        15_000,
      );
      expect(client.events.at(-1)).toMatchObject({ event: 'close', data: 'gone' });
      await client.untilEnd();
      expect(watch.rejections).toEqual([]);
      expect(watch.exceptions).toEqual([]);
    } finally {
      await t.close();
      await server.stop();
    }
  }, 30_000);
});
