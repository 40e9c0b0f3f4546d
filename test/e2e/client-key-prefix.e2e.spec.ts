import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { REDIS_URL } from '../helpers/redis.js';
import { deletePrefix } from '../helpers/redis-inspect.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * ioredis prefixes the keys of commands (EVALSHA's too) with its own `keyPrefix`, but not
 * the channels of SUBSCRIBE: live delivery must still reach open streams, and every key
 * the module writes must sit under the client's prefix.
 */
describe.each([
  ['redis.options.keyPrefix', 'options'],
  ['a client of the app with a keyPrefix', 'client'],
] as const)('an ioredis keyPrefix (%s)', (_, how) => {
  const clientPrefix = `app-${randomUUID().slice(0, 8)}:`;
  let t: TestApp;
  let appClient: Redis | undefined;

  beforeAll(async () => {
    appClient = how === 'client' ? new Redis(REDIS_URL, { keyPrefix: clientPrefix }) : undefined;
    t = await startTestApp({
      options: {
        redis: appClient
          ? { client: appClient }
          : { url: REDIS_URL, options: { keyPrefix: clientPrefix } },
      },
    });
  });

  afterAll(async () => {
    await deletePrefix(t.redis, clientPrefix);
    await t.close();
    await appClient?.quit();
  });

  it('delivers live pushes to an open SSE stream, which closes on complete()', async () => {
    const name = t.rt.createQueueName();
    const urls = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
    const client = await RawSseClient.open(t.url + urls.sse);
    await client.until(() => t.rt.stats().queues === 1 || undefined, 'the stream to be watched');
    const queue = t.rt.get(name);
    await queue.push({ n: 1, text: 'one' });
    await queue.push({ n: 2, text: 'two' });
    await queue.complete();
    await client.untilEnd();
    expect(client.listItems.map((item) => item.n)).toEqual([1, 2]);
    expect(client.events.at(-1)).toMatchObject({ event: 'close', data: 'complete' });
  });

  it('keeps every key under the client prefix, and polling reads them', async () => {
    const name = t.rt.createQueueName();
    await t.rt.get(name).push({ n: 1, text: 'kept' });
    const under = await t.redis.keys(`${clientPrefix}${t.key(name)}*`);
    const outside = await t.redis.keys(`${t.key(name)}*`);
    expect(under.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    const { poll } = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
    const res = await request(t.url).get(`${poll}&el=poller&target=%23results`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('kept');
  });
});
