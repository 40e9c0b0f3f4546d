// Pushes not awaited one by one keep their call order on a cluster too, from the moment the
// app has started: also the first ones that reach each master.
import { compareStreamIds } from '../../lib/store/stream-id.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const PUSHES = 50;

describe('push order on a Redis Cluster (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it(`keeps call order for ${PUSHES} concurrent pushes to a new queue on each master`, async () => {
    for (const name of await t.queuesOnEveryMaster(1)) {
      const queue = t.rt.get(name);

      const ids = await Promise.all(Array.from({ length: PUSHES }, (_, n) => queue.push(n)));

      expect(ids).toEqual([...ids].sort(compareStreamIds));
      const stored = (await t.redis.xrange(t.key(name), '-', '+')).map(([, fields]) =>
        JSON.parse(fields[1]!),
      );
      expect(stored).toEqual(Array.from({ length: PUSHES }, (_, n) => n));
    }
  });
});
