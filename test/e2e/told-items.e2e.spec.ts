import { StreamStore } from '../../lib/store/stream-store.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * What the job follower writes through (StreamStore.pushTold): an item lands once, in its
 * place, whichever process tells it first; on a cluster too (the told position is a key of
 * the queue's slot, written by the push's own script).
 */
describe('items told in their place (e2e)', () => {
  let t: TestApp;
  let other: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    other = await startTestApp({ options: { keyPrefix: t.prefix } });
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('lands each place once, never after a later one, across two processes, in order with plain pushes', async () => {
    const name = t.rt.createQueueName();
    const [a, b] = [t.app.get(StreamStore), other.app.get(StreamStore)];
    const told = (store: StreamStore, position: number) =>
      store.pushTold(name, JSON.stringify({ told: position }), position);
    const results = await Promise.all([told(a, 0), told(b, 0), told(a, 1), told(b, 1)]);
    expect(results.filter((id) => id !== undefined)).toHaveLength(2);
    await a.push(name, JSON.stringify({ own: 1 }));
    expect(await told(b, 1)).toBeUndefined(); // seen late: dropped
    expect(await told(b, 3)).toBeDefined();
    expect(await told(a, 2)).toBeUndefined(); // a later place was told
    const items = (await t.redis.xrange(t.key(name), '-', '+')).map(([, f]) => JSON.parse(f[1]!));
    expect(items).toEqual([{ told: 0 }, { told: 1 }, { own: 1 }, { told: 3 }]);
  });

  it('refuses a told item after the end, as a push', async () => {
    const name = t.rt.createQueueName();
    await t.rt.get(name).complete();
    await expect(t.app.get(StreamStore).pushTold(name, '{}', 5)).rejects.toThrow(/complete/);
  });
});
