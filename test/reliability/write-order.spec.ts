import { RtQueueCompleteError, type RtQueue } from '../../lib/index.js';
import { scriptsFor, type QueueScripts } from '../../lib/store/lua-scripts.js';
import { RedisConnections } from '../../lib/store/redis-connections.js';
import { send } from '../helpers/redis-process.js';
import { startRedisSentinel } from '../helpers/redis-sentinel.js';
import { StoppableRedis } from '../helpers/stoppable-redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { readRecord } from './helpers/failover-tally.js';

const ROUNDS = 20;

/**
 * Redis loses its script cache on a restart, a failover or a new cluster node (SCRIPT FLUSH
 * here). Writes to one queue that were called without awaiting each other must still be
 * stored in call order: a write that met NOSCRIPT and went again by source came after a
 * later one that found its script cached (the issue: 20 of 20 rounds each).
 */
/** A Redis of the test's own (SCRIPT FLUSH would touch every other suite's scripts). */
interface OwnRedis {
  port: number;
  app(): Promise<TestApp>;
  stop(): Promise<void>;
}

async function server(): Promise<OwnRedis> {
  const redis = await StoppableRedis.start();
  return {
    port: redis.port,
    app: () => startTestApp({ redis: redis.target }),
    stop: () => redis.destroy(),
  };
}

/** A master with a replica; the app waits for it on every write. */
async function replicated(): Promise<OwnRedis> {
  const topology = await startRedisSentinel();
  const { port } = await topology.master();
  const app = () =>
    startTestApp({
      options: {
        redis: { url: `redis://127.0.0.1:${port}` },
        waitForReplicas: { replicas: 1, timeoutMs: 500 },
      },
    });
  return { port, app, stop: () => topology.stop() };
}

describe.each([
  ['a server', server],
  ['a master whose writes wait for a replica (waitForReplicas)', replicated],
])('writes to one queue keep their call order after Redis lost its scripts, on %s', (_, start) => {
  let redis: OwnRedis;
  let t: TestApp;
  let scripts: QueueScripts;

  beforeAll(async () => {
    redis = await start();
    t = await redis.app();
    const connections = t.app.get(RedisConnections);
    await connections.whenReady(connections.command, 'test');
    scripts = scriptsFor(await connections.pubsubKind(connections.command));
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  }, 30_000);

  /** Empties the server's script cache, then caches `cached` alone. */
  async function cacheOnly(cached: keyof QueueScripts): Promise<void> {
    await send(redis.port, 'SCRIPT', 'FLUSH');
    await send(redis.port, 'SCRIPT', 'LOAD', scripts[cached].source);
  }

  const record = async (queue: RtQueue) =>
    (await readRecord(redis.port, t.key(queue.name))).map((e) => (e.end ? 'end' : e.n));

  it(`refuses a push called after complete(), with only the push script cached (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await cacheOnly('push');
      const queue = t.rt.get(t.rt.createQueueName());
      const pushed = [queue.push({ n: 1 }), queue.push({ n: 2 })];
      const completed = queue.complete();
      // Another handle on the same queue, as a second part of the job would take.
      const late = t.rt.get(queue.name).push({ n: 3 });

      await expect(Promise.all(pushed)).resolves.toHaveLength(2);
      await completed;
      await expect(late).rejects.toThrow(RtQueueCompleteError);
      expect(await record(queue)).toEqual([1, 2, 'end']);
    }
  });

  it(`stores the pushes called before complete(), with only the complete script cached (${ROUNDS} rounds)`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      await cacheOnly('complete');
      const queue = t.rt.get(t.rt.createQueueName());
      const pushed = Promise.all([queue.push({ n: 1 }), queue.push({ n: 2 })]);
      const completed = queue.complete();

      await expect(pushed).resolves.toHaveLength(2);
      await completed;
      expect(await record(queue)).toEqual([1, 2, 'end']);
    }
  });

  it('keeps the order of pushes called across many turns, from two handles, after a flush', async () => {
    await cacheOnly('complete');
    const name = t.rt.createQueueName();
    const handles = [t.rt.get(name), t.rt.get(name)];
    const calls: Array<Promise<string>> = [];
    for (let n = 0; n < 200; n++) {
      calls.push(handles[n % 2]!.push({ n }));
      // Some calls in later turns, while earlier ones are on their way.
      if (n % 7 === 0) await new Promise((resolve) => setImmediate(resolve));
      if (n === 100) await send(redis.port, 'SCRIPT', 'FLUSH');
    }
    const completed = handles[0]!.complete();
    await Promise.all(calls);
    await completed;
    expect(await record(handles[0]!)).toEqual([...Array.from({ length: 200 }, (_, n) => n), 'end']);
  });
});
