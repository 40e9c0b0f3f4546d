/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, type WatchedPage } from './support/chromium.js';
import { expectStreamsClosed } from './support/results-page.js';
import { startSample, type SampleProcess } from './support/sample-process.js';

const POLL_MS = 200;

/** A results page opened after its queue expired (e.g. reloaded a few minutes later). */
describe('a results page whose queue has expired', () => {
  let sample: SampleProcess;
  let browser: Browser;
  let watched: WatchedPage;

  beforeAll(async () => {
    [sample, browser] = await Promise.all([
      startSample({ pollInterval: `${POLL_MS}ms` }),
      launchChromium(),
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sample?.stop();
    await sample?.deleteKeys();
  });

  beforeEach(async () => {
    watched = await openPage(browser);
  });

  afterEach(async () => {
    await watched.close();
  });

  // An expired queue and one that never existed look the same in Redis.
  const goneQueue = () => `rtq_${randomBytes(16).toString('base64url')}`;

  const settled = () =>
    watched.page.waitForFunction(
      () =>
        document.querySelector('[data-stream-panel]')?.getAttribute('data-stream') !== 'connecting',
    );

  it('over SSE closes at once: one request, no reconnect loop, no console error', async () => {
    await watched.page.goto(`${sample.url}/demos/list/sse/${goneQueue()}`);
    await settled();
    expect(await watched.page.getAttribute('[data-stream-panel]', 'data-stream')).toBe('finished');
    await expectStreamsClosed(watched, 'sse', 1, POLL_MS);
    expect(watched.consoleErrors).toEqual([]);
  });

  // Fails with lib/http/poll.controller.ts as of this writing: the poll route answers the
  // htmx poller 404, htmx 2 keeps polling on errors, and logs two console errors per poll.
  it('over polling stops polling, with no console error', async () => {
    await watched.page.goto(`${sample.url}/demos/list/polling/${goneQueue()}`);
    await settled();
    expect(await watched.page.getAttribute('[data-stream-panel]', 'data-stream')).toBe('finished');
    await expectStreamsClosed(watched, 'polling', 1, POLL_MS);
    expect(watched.consoleErrors).toEqual([]);
  });
});
