/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { htmxVersion, launchDemo, waitUntilFinished } from './support/results-page.js';
import { startSample, type SampleProcess } from './support/sample-process.js';
import { openPage, type WatchedPage } from './support/watched-page.js';

/** The htmx files the page's head loads from the module's asset route. */
function htmxFiles(page: Page): Promise<string[]> {
  return page.$$eval('head script[src^="/pluto-rt/assets/htmx"]', (scripts) =>
    scripts.map((script) => new URL((script as HTMLScriptElement).src).pathname.split('/').at(-1)!),
  );
}

/**
 * The sample's htmx major: HTMX_MAJOR for every page, and the index page's links for one
 * browser (a cookie the partials read through res.locals.plutoRtHtmx).
 */
describe('choosing the htmx major of the sample (Chromium)', () => {
  let sample: SampleProcess;
  let browser: Browser;
  let watched: WatchedPage;
  beforeAll(async () => {
    [sample, browser] = await Promise.all([
      startSample({ stepMs: 10, env: { HTMX_MAJOR: '4' } }),
      launchChromium(),
    ]);
  }, 60_000);
  beforeEach(async () => {
    watched = await openPage(browser);
  });
  afterEach(() => watched.close());
  afterAll(async () => {
    await browser?.close();
    await sample?.stop();
    await sample?.deleteKeys();
  });

  it('HTMX_MAJOR=4 serves every page on htmx 4', async () => {
    const { page } = watched;
    await page.goto(`${sample.url}/`);
    expect(await htmxVersion(page)).toMatch(/^4\./);
    expect(await page.textContent('#htmx-version')).toMatch(/^htmx 4\./);
    await launchDemo(page, sample.url, 'list', 'sse');
    expect(await htmxFiles(page)).toEqual(['htmx4.min.js', 'htmx4-sse.js']);
    expect(await page.locator('[hx-sse\\:connect]').count()).toBe(1);
    await waitUntilFinished(page);
    expect(watched.consoleErrors).toEqual([]);
    expect(watched.consoleWarnings).toEqual([]);
  });

  it("the index page's links switch this browser to htmx 2 and back to the app's default", async () => {
    const { page } = watched;
    await page.goto(`${sample.url}/`);
    await Promise.all([page.waitForEvent('load'), page.click('a[data-htmx="2"]')]);
    expect(await htmxVersion(page)).toMatch(/^2\./);
    await launchDemo(page, sample.url, 'list', 'polling');
    expect(await htmxFiles(page)).toEqual(['htmx.min.js', 'htmx-ext-sse.js']);
    await waitUntilFinished(page);
    const polls = watched.streamRequests('poll');
    expect(polls.length).toBeGreaterThan(0);
    for (const poll of polls) expect(new URL(poll.url).searchParams.get('hx')).toBe('2');

    // Another browser is not switched.
    const other = await openPage(browser);
    try {
      await other.page.goto(`${sample.url}/`);
      expect(await htmxVersion(other.page)).toMatch(/^4\./);
    } finally {
      await other.close();
    }

    await page.goto(`${sample.url}/`);
    await Promise.all([page.waitForEvent('load'), page.click('a[data-htmx="default"]')]);
    expect(await htmxVersion(page)).toMatch(/^4\./);
    expect(watched.consoleErrors).toEqual([]);
    expect(watched.consoleWarnings).toEqual([]);
  });
});
