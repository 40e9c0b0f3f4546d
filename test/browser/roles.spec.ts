/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import {
  expectStreamsClosed,
  launchDemo,
  shownItems,
  stepsUpTo,
  waitUntilFinished,
} from './support/results-page.js';
import { startSample, type SampleProcess } from './support/sample-process.js';
import { openPage, type WatchedPage } from './support/watched-page.js';

describe('web app and worker in separate processes', () => {
  let web: SampleProcess | undefined;
  let worker: SampleProcess | undefined;
  let browser: Browser;
  let watched: WatchedPage;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await watched?.close();
    await browser?.close();
    await worker?.stop();
    await web?.stop();
    await web?.deleteKeys();
  });

  it('the page shows "queued" and stays open without errors until a worker runs the job', async () => {
    web = await startSample({ args: ['--web'] });
    expect(web.stdout()).toContain('web app only');
    watched = await openPage(browser);
    const { page } = watched;
    await launchDemo(page, web.url, 'list', 'sse');
    // No worker yet: the queue holds only the line the web app wrote, and the stream is open.
    await page.waitForFunction(
      () => document.querySelector('[data-stream-panel]')?.getAttribute('data-stream') === 'live',
    );
    expect((await shownItems(page, '#results > li')).map((item) => item.text)).toEqual([
      'info Job queued: waiting for a worker',
    ]);

    worker = await startSample({ args: ['--worker'], prefixes: web.prefixes });
    await waitUntilFinished(page);
    expect((await shownItems(page, '#results > li')).map((item) => item.step)).toEqual(
      stepsUpTo(25),
    );
    await expectStreamsClosed(watched, 'sse', 1, 200);
    expect(watched.consoleErrors).toEqual([]);

    const [workerExit, webExit] = await Promise.all([worker.stop('SIGTERM'), web.stop('SIGTERM')]);
    expect(workerExit).toEqual({ code: 0, signal: null });
    expect(webExit).toEqual({ code: 0, signal: null });
    expect(worker.stderr()).toBe('');
    expect(web.stderr()).toBe('');
  });
});
