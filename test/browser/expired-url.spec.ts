/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import type { TestApp } from '../helpers/test-app.js';
import { startPageApp } from '../reliability/helpers/page-app.js';
import { quietFor, type Major } from './support/results-page.js';
import { openPage, type WatchedPage } from './support/watched-page.js';

/** The poll interval of the fixture page (reliability/poll-page.hbs). */
const POLL_MS = 100;

/**
 * A page left open past its URL's lifetime on a queue that never started: htmx 2 polls on
 * after a 403, so only the 286 with an inert poller stops it; htmx 4 ignores 286, so only
 * the inert poller does.
 */
describe.each<Major>([2, 4])(
  'a polling page whose signed URL expires (Chromium, htmx %i)',
  (major) => {
    let t: TestApp;
    let browser: Browser;
    let watched: WatchedPage;

    beforeAll(async () => {
      [t, browser] = await Promise.all([startPageApp({ urlTtlSeconds: 2 }), launchChromium()]);
    });
    beforeEach(async () => {
      watched = await openPage(browser);
    });
    afterEach(() => watched.close());
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('stops polling and says in the page that it expired, with no console error', async () => {
      await watched.page.goto(`${t.url}/rel/poll/${t.rt.createQueueName()}?htmx=${major}`);
      const notice = watched.page.locator('.pluto-rt-poller .pluto-rt-notice');
      await notice.waitFor({ timeout: 10_000 });
      expect(await notice.getAttribute('data-reason')).toBe('expired');
      expect(await notice.textContent()).toMatch(/expired: reload the page/);

      const polls = watched.streamRequests('poll');
      // It polled (204, nothing pushed) until the URL expired, then got one 286.
      expect(polls.filter((r) => r.status === 204).length).toBeGreaterThan(0);
      expect(polls.at(-1)!.status).toBe(286);
      expect(polls.filter((r) => r.status === 403)).toEqual([]);
      expect(await watched.page.locator('.pluto-rt-poller[hx-get]').count()).toBe(0);
      await quietFor(5 * POLL_MS);
      expect(watched.streamRequests('poll')).toHaveLength(polls.length);
      expect(watched.consoleErrors).toEqual([]);
      expect(watched.consoleWarnings).toEqual([]);
    });
  },
);
