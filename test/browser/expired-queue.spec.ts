/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import { randomBytes } from 'node:crypto';
import { redisClient, tombstoneKey } from '../helpers/redis.js';
import { expectStreamsClosed } from './support/results-page.js';
import { useSampleInChromium } from './support/sample-in-chromium.js';

const POLL_MS = 200;

/** A results page opened after its queue expired (e.g. reloaded a few minutes later). */
describe('a results page whose queue has expired', () => {
  const ctx = useSampleInChromium({ pollInterval: `${POLL_MS}ms` });

  /**
   * A queue in the state that expiry leaves: its stream deleted, its tombstone (written by
   * every push and by complete()) still there. Made by hand because the sample keeps
   * completed queues for a minute.
   */
  const goneQueue = async () => {
    const name = `rtq_${randomBytes(16).toString('base64url')}`;
    const redis = redisClient();
    try {
      await redis.set(tombstoneKey(ctx.sample.prefixes.keyPrefix, name), '1', 'EX', 60);
    } finally {
      await redis.quit();
    }
    return name;
  };

  const settled = () =>
    ctx.watched.page.waitForFunction(
      () =>
        document.querySelector('[data-stream-panel]')?.getAttribute('data-stream') !== 'connecting',
    );

  it('over SSE closes at once: one request, no reconnect loop, no console error', async () => {
    await ctx.watched.page.goto(`${ctx.sample.url}/demos/list/sse/${await goneQueue()}`);
    await settled();
    expect(await ctx.watched.page.getAttribute('[data-stream-panel]', 'data-stream')).toBe(
      'finished',
    );
    await expectStreamsClosed(ctx.watched, 'sse', 1, POLL_MS);
    expect(ctx.watched.consoleErrors).toEqual([]);
  });

  it('over polling stops polling, with no console error', async () => {
    await ctx.watched.page.goto(`${ctx.sample.url}/demos/list/polling/${await goneQueue()}`);
    await settled();
    expect(await ctx.watched.page.getAttribute('[data-stream-panel]', 'data-stream')).toBe(
      'finished',
    );
    await expectStreamsClosed(ctx.watched, 'polling', 1, POLL_MS);
    expect(ctx.watched.consoleErrors).toEqual([]);
  });
});
