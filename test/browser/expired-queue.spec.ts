/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import { randomBytes } from 'node:crypto';
import { redisClient, tombstoneKey } from '../helpers/redis.js';
import { chooseMajor, expectStreamsClosed, type Major } from './support/results-page.js';
import { useSampleInChromium } from './support/sample-in-chromium.js';

const POLL_MS = 200;

/** A results page opened after its queue expired (e.g. reloaded a few minutes later). */
describe.each<Major>([2, 4])('a results page whose queue has expired, on htmx %i', (major) => {
  const ctx = useSampleInChromium({ pollInterval: `${POLL_MS}ms` });
  beforeEach(() => chooseMajor(ctx.watched.page, ctx.sample.url, major));

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

  /** The notice the page shows where its stream element (or poller) was. */
  const notice = async (selector: string) => {
    const found = ctx.watched.page.locator(`${selector} > .pluto-rt-notice`);
    expect(await found.count()).toBe(1);
    expect(await found.getAttribute('data-reason')).toBe('gone');
    expect(await found.textContent()).toBe('These live results are no longer available.');
    // Styled by the module's pluto-rt.css (the scripts partial links it).
    expect(await found.evaluate((el) => getComputedStyle(el).borderLeftStyle)).toBe('solid');
  };

  it('over SSE says so in place of the stream and closes at once: one request, no reconnect loop, no console error', async () => {
    await ctx.watched.page.goto(`${ctx.sample.url}/demos/list/sse/${await goneQueue()}`);
    await settled();
    expect(await ctx.watched.page.getAttribute('[data-stream-panel]', 'data-stream')).toBe(
      'stopped',
    );
    await notice('.pluto-rt-sse');
    await expectStreamsClosed(ctx.watched, 'sse', 1, POLL_MS);
    expect(ctx.watched.consoleErrors).toEqual([]);
    expect(ctx.watched.consoleWarnings).toEqual([]);
  });

  it('over polling says so in place of the poller and stops polling, with no console error', async () => {
    await ctx.watched.page.goto(`${ctx.sample.url}/demos/list/polling/${await goneQueue()}`);
    await settled();
    expect(await ctx.watched.page.getAttribute('[data-stream-panel]', 'data-stream')).toBe(
      'stopped',
    );
    await notice('.pluto-rt-poller');
    await expectStreamsClosed(ctx.watched, 'polling', 1, POLL_MS);
    expect(ctx.watched.consoleErrors).toEqual([]);
    expect(ctx.watched.consoleWarnings).toEqual([]);
  });
});
