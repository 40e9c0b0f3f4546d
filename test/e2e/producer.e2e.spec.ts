import {
  RtMessageTooLargeError,
  RtQueueCompleteError,
  RtQueueFullError,
  RtQueueNameError,
  RtSerializationError,
} from '../../lib/index.js';
import { firstValueFrom, take, toArray } from 'rxjs';
import { RedisConnections } from '../../lib/store/redis-connections.js';
import { compareStreamIds } from '../../lib/store/stream-id.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

type Entry = [id: string, fields: string[]];

/** The queue's raw stream entries. */
async function entries(t: TestApp, name: string): Promise<Entry[]> {
  return (await t.redis.xrange(t.key(name), '-', '+')) as Entry[];
}

/** The items of the queue, parsed, without the end marker. */
async function items(t: TestApp, name: string): Promise<unknown[]> {
  return (await entries(t, name)).filter(([, f]) => f[0] === 'd').map(([, f]) => JSON.parse(f[1]!));
}

/** Counts the scripts the app's command client sends until `stop()`, which returns the count. */
function countScriptCalls(t: TestApp): { stop(): number } {
  const client = t.app.get(RedisConnections).command;
  // Writes go by source (EVAL): see LuaScript.send.
  const evalBySource = client.eval;
  let calls = 0;
  client.eval = ((...args: Parameters<typeof evalBySource>) => {
    calls++;
    return evalBySource.apply(client, args);
  }) as typeof evalBySource;
  return {
    stop() {
      client.eval = evalBySource;
      return calls;
    },
  };
}

describe('RtQueue producer API', () => {
  const IDLE = 7_200;
  const COMPLETED = 90;
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      options: { idleTtlSeconds: IDLE, completedTtlSeconds: COMPLETED, maxMessageBytes: 1024 },
    });
  });
  afterAll(() => t.close());

  const key = (name: string) => t.key(name);
  const fresh = () => t.rt.get(t.rt.createQueueName());

  describe('push', () => {
    it('returns increasing stream ids and keeps push order', async () => {
      const q = fresh();
      const ids: string[] = [];
      for (let n = 0; n < 20; n++) ids.push(await q.push({ n }));
      for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
      for (let i = 1; i < ids.length; i++)
        expect(compareStreamIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
      const stored = await entries(t, q.name);
      expect(stored.map(([id]) => id)).toEqual(ids);
      expect(await items(t, q.name)).toEqual(Array.from({ length: 20 }, (_, n) => ({ n })));
    });

    it('keeps call order for pushes not awaited one by one', async () => {
      const q = fresh();
      const ids = await Promise.all(Array.from({ length: 50 }, (_, n) => q.push(n)));
      const sorted = [...ids].sort(compareStreamIds);
      expect(ids).toEqual(sorted);
      expect(new Set(ids).size).toBe(50);
      expect(await items(t, q.name)).toEqual(Array.from({ length: 50 }, (_, n) => n));
    });

    it('sends pushes called together as one script call, each with its own id', async () => {
      const q = fresh();
      const calls = countScriptCalls(t);
      const ids = await Promise.all(Array.from({ length: 600 }, (_, n) => q.push(n)));
      // 600 pushes over the 512 that one call takes at most: two calls.
      expect(calls.stop()).toBe(2);
      expect(new Set(ids).size).toBe(600);
      expect((await entries(t, q.name)).map(([id]) => id)).toEqual(ids);
    });

    it('delivers the items of one script call live, in order, to an open stream', async () => {
      const q = fresh();
      const first = await q.push('a');
      const seen = firstValueFrom(t.rt.stream(q.name, { after: first }).pipe(take(3), toArray()));
      await waitFor(
        async () => (await t.subscribers(q.name)) === 1,
        "the reader's subscription to the queue",
      );
      const ids = await Promise.all([q.push('b'), q.push('c'), q.push('d')]);
      expect(await seen).toEqual(['b', 'c', 'd'].map((item, i) => ({ id: ids[i], item })));
    });

    it('a complete() called after pushes without awaiting them follows them', async () => {
      const q = fresh();
      const pushed = [q.push(1), q.push(2)];
      const done = q.complete();
      const late = t.rt.get(q.name).push(3);
      await Promise.all(pushed);
      await done;
      await expect(late).rejects.toThrow(RtQueueCompleteError);
      const fields = (await entries(t, q.name)).map(([, f]) => f[0]);
      expect(fields).toEqual(['d', 'd', 'e']);
    });

    it('stores the item as JSON, exactly (Dates as ISO strings)', async () => {
      const q = fresh();
      const item = {
        text: '<b>é</b>',
        list: [1, null, true],
        at: new Date('2024-05-06T07:08:09.000Z'),
      };
      await q.push(item);
      expect(await items(t, q.name)).toEqual([{ ...item, at: '2024-05-06T07:08:09.000Z' }]);
    });
  });

  describe('progress', () => {
    it('pushes {type: progress, value, max, percent}', async () => {
      const q = fresh();
      await q.progress(3, 12);
      await q.progress(50);
      expect(await items(t, q.name)).toEqual([
        { type: 'progress', value: 3, max: 12, percent: 25 },
        { type: 'progress', value: 50, max: 100, percent: 50 },
      ]);
    });

    it('rounds the percentage and clamps it to 0..100', async () => {
      const q = fresh();
      await q.progress(1, 3);
      await q.progress(15, 10);
      await q.progress(-2, 10);
      expect(
        ((await items(t, q.name)) as Array<{ percent: number }>).map((i) => i.percent),
      ).toEqual([33, 100, 0]);
    });

    it('merges extra fields, which cannot override the progress fields', async () => {
      const q = fresh();
      await q.progress(1, 2, { label: 'copying', type: 'log', percent: 7 });
      expect(await items(t, q.name)).toEqual([
        { label: 'copying', type: 'progress', value: 1, max: 2, percent: 50 },
      ]);
    });

    it.each([
      [NaN, 100],
      [Infinity, 100],
      [1, 0],
      [1, -5],
      [1, NaN],
      [1, Infinity],
    ])('progress(%p, %p) throws and writes nothing', async (value, max) => {
      const q = fresh();
      await q.push('first');
      await expect(q.progress(value, max)).rejects.toThrow(RangeError);
      expect(await t.redis.xlen(key(q.name))).toBe(1);
    });
  });

  describe('complete', () => {
    it('then push rejects RtQueueCompleteError from the same handle', async () => {
      const q = fresh();
      await q.push(1);
      await q.complete();
      await expect(q.push(2)).rejects.toThrow(RtQueueCompleteError);
      await expect(q.progress(1)).rejects.toThrow(RtQueueCompleteError);
      expect(await t.redis.xlen(key(q.name))).toBe(2);
    });

    it('then push rejects RtQueueCompleteError from a fresh handle (checked in Redis)', async () => {
      const q = fresh();
      await q.push(1);
      await q.complete();
      const other = t.rt.get(q.name);
      const err = await other.push(2).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RtQueueCompleteError);
      expect((err as RtQueueCompleteError).queue).toBe(q.name);
      expect(await t.redis.xlen(key(q.name))).toBe(2);
    });

    it('twice is harmless: one end marker, after the items', async () => {
      const q = fresh();
      await q.push('a');
      await q.complete();
      await expect(q.complete()).resolves.toBeUndefined();
      await expect(t.rt.get(q.name).complete()).resolves.toBeUndefined();
      const stored = await entries(t, q.name);
      expect(stored.map(([, fields]) => fields[0])).toEqual(['d', 'e']);
    });

    it('of a queue never pushed to makes a queue that is complete', async () => {
      const q = fresh();
      await q.complete();
      expect(await t.redis.xlen(key(q.name))).toBe(1);
      await expect(t.rt.get(q.name).push(1)).rejects.toThrow(RtQueueCompleteError);
    });
  });

  describe('refused items write nothing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;

    it.each<[string, unknown]>([
      ['a function', { f: () => 1 }],
      ['a BigInt', { n: 1n }],
      ['a cycle', cyclic],
      ['a symbol', [Symbol('x')]],
      ['NaN', { v: NaN }],
      ['undefined', undefined],
    ])('%s: RtSerializationError, XLEN unchanged', async (_what, item) => {
      const q = fresh();
      await q.push('before');
      await expect(q.push(item)).rejects.toThrow(RtSerializationError);
      expect(await t.redis.xlen(key(q.name))).toBe(1);
    });

    it('an item over maxMessageBytes: RtMessageTooLargeError, XLEN unchanged', async () => {
      const q = fresh();
      await q.push('before');
      await expect(q.push('x'.repeat(1024))).rejects.toThrow(RtMessageTooLargeError);
      expect(await t.redis.xlen(key(q.name))).toBe(1);
      // Exactly at the limit is fine: 1022 characters plus the quotes.
      await q.push('x'.repeat(1022));
      expect(await t.redis.xlen(key(q.name))).toBe(2);
    });

    it('a refused first push does not create the queue', async () => {
      const q = fresh();
      await expect(q.push({ f: () => 1 })).rejects.toThrow(RtSerializationError);
      expect(await t.redis.exists(key(q.name))).toBe(0);
    });
  });

  describe('expiry', () => {
    it('after a push the queue expires in about idleTtlSeconds', async () => {
      const q = fresh();
      await q.push(1);
      const ttl = await t.redis.ttl(key(q.name));
      expect(ttl).toBeGreaterThan(IDLE - 5);
      expect(ttl).toBeLessThanOrEqual(IDLE);
    });

    it('every push refreshes the idle expiry', async () => {
      const q = fresh();
      await q.push(1);
      await t.redis.expire(key(q.name), 100);
      await q.push(2);
      expect(await t.redis.ttl(key(q.name))).toBeGreaterThan(IDLE - 5);
    });

    it('after complete the queue expires in about completedTtlSeconds', async () => {
      const q = fresh();
      await q.push(1);
      await q.complete();
      const ttl = await t.redis.ttl(key(q.name));
      expect(ttl).toBeGreaterThan(COMPLETED - 5);
      expect(ttl).toBeLessThanOrEqual(COMPLETED);
    });
  });

  describe('get', () => {
    it.each([[''], ['a b'], ['../x'], ['q%2F'], ['a'.repeat(201)], ['q:1']])(
      'throws RtQueueNameError for %j',
      (name) => {
        expect(() => t.rt.get(name)).toThrow(RtQueueNameError);
      },
    );

    it('accepts names made by createQueueName, with any prefix', () => {
      expect(t.rt.get(t.rt.createQueueName('report')).name).toMatch(/^report_/);
    });
  });
});

describe('RtQueue with maxMessages: 3', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ options: { maxMessages: 3 } });
  });
  afterAll(() => t.close());

  it('rejects the 4th push with RtQueueFullError, and complete still works', async () => {
    const q = t.rt.get(t.rt.createQueueName());
    for (let n = 1; n <= 3; n++) await q.push(n);
    const err = await q.push(4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RtQueueFullError);
    expect((err as RtQueueFullError).maxMessages).toBe(3);
    expect((err as Error).message).toContain('maxMessages');
    expect(await t.redis.xlen(t.key(q.name))).toBe(3);
    await q.complete();
    const fields = ((await t.redis.xrange(t.key(q.name), '-', '+')) as Entry[]).map(
      ([, f]) => f[0],
    );
    expect(fields).toEqual(['d', 'd', 'd', 'e']);
    // Once complete, the queue says so rather than "full".
    await expect(t.rt.get(q.name).push(5)).rejects.toThrow(RtQueueCompleteError);
  });

  it('takes what fits of pushes called together and rejects the rest with RtQueueFullError', async () => {
    const q = t.rt.get(t.rt.createQueueName());
    await q.push(1);
    const results = await Promise.allSettled([q.push(2), q.push(3), q.push(4), q.push(5)]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
    for (const r of results.slice(2)) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RtQueueFullError);
    }
    expect(await t.redis.xlen(t.key(q.name))).toBe(3);
  });
});

describe('RtQueue expiry with 1-second TTLs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ options: { completedTtlSeconds: 1, idleTtlSeconds: 1 } });
  });
  afterAll(() => t.close());

  it('a completed queue disappears after completedTtlSeconds', async () => {
    const q = t.rt.get(t.rt.createQueueName());
    await q.push(1);
    await q.complete();
    const completedAt = Date.now();
    expect(await t.redis.exists(t.key(q.name))).toBe(1);
    await waitFor(
      async () => (await t.redis.exists(t.key(q.name))) === 0,
      'the completed queue to expire',
      5_000, // bounded: Redis expires it in about 1 s
    );
    // Not before its time (the expiry was set just before complete() resolved).
    expect(Date.now() - completedAt).toBeGreaterThanOrEqual(1_000 - 50);
  });

  it('an abandoned queue disappears after idleTtlSeconds', async () => {
    const q = t.rt.get(t.rt.createQueueName());
    await q.push(1);
    await q.push(2);
    const pushedAt = Date.now();
    expect(await t.redis.exists(t.key(q.name))).toBe(1);
    await waitFor(
      async () => (await t.redis.exists(t.key(q.name))) === 0,
      'the abandoned queue to expire',
      5_000, // bounded: Redis expires it in about 1 s
    );
    // Not before its time, counted from the last push, which renewed the expiry.
    expect(Date.now() - pushedAt).toBeGreaterThanOrEqual(1_000 - 50);
  });
});
