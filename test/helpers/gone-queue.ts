import type { TestApp } from './test-app.js';
import { waitFor } from './wait-for.js';

/**
 * Makes queue `name` of `t` gone the way production does: one push, complete(), then the
 * wait for Redis to expire its stream. `t` must run with `completedTtlSeconds: 1`; the
 * tombstone complete() wrote outlives the stream. Resolves to the name.
 */
export async function goneQueue(t: TestApp, name = t.rt.createQueueName()): Promise<string> {
  const queue = t.rt.get(name);
  await queue.push({ n: 1, text: 'one' });
  await queue.complete();
  await waitFor(
    async () => (await t.redis.exists(t.key(name))) === 0,
    `the stream of ${name} to expire (the app needs completedTtlSeconds: 1)`,
    5_000,
  );
  return name;
}
