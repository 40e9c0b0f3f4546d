/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import type { TestApp } from '../helpers/test-app.js';
import { startPageApp } from '../reliability/helpers/page-app.js';
import { queueIsComplete } from './support/queue-state.js';
import {
  chooseMajor,
  launchDemo,
  quietFor,
  waitForCount,
  type Major,
} from './support/results-page.js';
import { startSample, type SampleProcess } from './support/sample-process.js';
import { openPage, type WatchedPage } from './support/watched-page.js';

/** Browsers open at most six HTTP/1.1 connections to one origin (host and port). */
const CONNECTIONS_PER_ORIGIN = 6;
const QUEUES = 8;
/** Long enough that a request which can go out does; the stalls below are bounded by it. */
const STALL_WINDOW_MS = 1_500;

/** How many items each of the page's lists `#q0`..`#q7` shows. */
function counts(page: Page): Promise<number[]> {
  return page.$$eval('ul.results', (lists) => lists.map((list) => list.children.length));
}

/**
 * Starts a fetch of a fresh (uncached) asset from the page and returns a promise of its
 * status: a request of the page's own, beside its streams.
 */
async function pageFetch(page: Page): Promise<() => Promise<number | 'pending'>> {
  await page.evaluate(() => {
    const w = window as unknown as { __fetched?: number };
    delete w.__fetched;
    void fetch(`/pluto-rt/assets/pluto-rt.css?fresh=${Math.random()}`).then(
      (res) => (w.__fetched = res.status),
    );
  });
  return () =>
    page.evaluate(() => (window as unknown as { __fetched?: number }).__fetched ?? 'pending');
}

describe.each<Major>([2, 4])('many live queues on one page over HTTP/1.1, htmx %i', (major) => {
  let t: TestApp;
  let browser: Browser;
  let watched: WatchedPage;
  beforeAll(async () => {
    [t, browser] = await Promise.all([startPageApp(), launchChromium()]);
  });
  beforeEach(async () => {
    watched = await openPage(browser);
  });
  afterEach(() => watched.close());
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** Eight queues that have started (one item each) and stay open until the test completes them. */
  async function openQueues(): Promise<string[]> {
    const names = Array.from({ length: QUEUES }, () => t.rt.createQueueName());
    for (const name of names) await t.rt.get(name).push({ n: 1, text: 'started' });
    return names;
  }

  it('built from 8 single-queue SSE elements, it stalls: the 7th and 8th stream and any other request wait until a stream ends', async () => {
    const names = await openQueues();
    const { page } = watched;
    await page.goto(`${t.url}/rel/singles/${names.join('.')}?htmx=${major}`);
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll('ul.results')].filter((ul) => ul.children.length).length >= n,
      CONNECTIONS_PER_ORIGIN,
    );
    const fetched = await pageFetch(page);
    await quietFor(STALL_WINDOW_MS);
    // Six streams hold the six connections: two lists stay empty, the asset does not come.
    const shown = await counts(page);
    expect(shown.filter((n) => n === 1)).toHaveLength(CONNECTIONS_PER_ORIGIN);
    expect(shown.filter((n) => n === 0)).toHaveLength(QUEUES - CONNECTIONS_PER_ORIGIN);
    expect(await fetched()).toBe('pending');
    expect(watched.streamRequests('sse').filter((r) => r.status === 200)).toHaveLength(6);

    // Each completed queue ends its stream and frees a connection for what waits.
    const served = names.filter((_, i) => shown[i] === 1);
    for (const name of served.slice(0, 3)) await t.rt.get(name).complete();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('ul.results')].every((ul) => ul.children.length === 1),
    );
    await page.waitForFunction(
      () => (window as unknown as { __fetched?: number }).__fetched === 200,
    );
    for (const name of names) await t.rt.get(name).complete();
  });

  it('as one group, nothing stalls: all 8 live on one connection, and the page still loads an asset and follows a link', async () => {
    const names = await openQueues();
    const { page } = watched;
    await page.goto(`${t.url}/rel/group/${names.join('.')}?htmx=${major}`);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('ul.results')].every((ul) => ul.children.length === 1),
    );
    const fetched = await pageFetch(page);
    await page.waitForFunction(
      () => (window as unknown as { __fetched?: number }).__fetched === 200,
    );
    expect(await fetched()).toBe(200);
    // Still live, each into its own list.
    for (const [i, name] of names.entries()) await t.rt.get(name).push({ n: 2, text: `for ${i}` });
    await page.waitForFunction(() =>
      [...document.querySelectorAll('ul.results')].every((ul) => ul.children.length === 2),
    );
    const texts = await page.$$eval('ul.results', (lists) =>
      lists.map((list) => list.lastElementChild?.textContent),
    );
    expect(texts).toEqual(names.map((_, i) => `for ${i}`));
    expect(watched.streamRequests('group-sse')).toHaveLength(1);
    expect(watched.streamRequests('sse')).toHaveLength(1);
    // A link click is answered while the eight are open.
    await Promise.all([page.waitForURL(`${t.url}/rel/elsewhere`), page.click('#away')]);
    expect(await page.textContent('#elsewhere')).toBe('Another page');
    for (const name of names) await t.rt.get(name).complete();
  });
});

describe.each<Major>([2, 4])('the sample dashboard over HTTP/1.1, htmx %i', (major) => {
  let sample: SampleProcess;
  let browser: Browser;
  let watched: WatchedPage;
  // Slow enough that the eight jobs (8 to 30 steps: 5 s and more) all still run while the
  // page is used, even on a loaded machine; the test leaves before they end.
  beforeAll(async () => {
    [sample, browser] = await Promise.all([
      startSample({ stepMs: 600, pollInterval: '200ms' }),
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

  it('answers an asset and a link click while all 8 jobs run', async () => {
    const { page } = watched;
    await chooseMajor(page, sample.url, major);
    const url = await launchDemo(page, sample.url, 'dashboard', 'sse');
    // Every card has started: the job's "queued" line and a first step (or a bar).
    await waitForCount(page, '.card ul.status-list > li:nth-child(2)', 5);
    const fetched = await pageFetch(page);
    await page.waitForFunction(
      () => (window as unknown as { __fetched?: number }).__fetched === 200,
    );
    const queues = new URL(url).pathname.split('/').at(-1)!.split('.');
    const running = await Promise.all(
      queues.map((queue) => queueIsComplete(page, sample.prefixes.keyPrefix, queue)),
    );
    expect(running).toEqual(Array(QUEUES).fill(false));
    expect(await fetched()).toBe(200);
    expect(watched.streamRequests('group-sse')).toHaveLength(1);
    // A link click, still while the eight run.
    await Promise.all([page.waitForURL(`${sample.url}/`), page.click('#back')]);
    const stillRunning = await Promise.all(
      queues.map((queue) => queueIsComplete(page, sample.prefixes.keyPrefix, queue)),
    );
    expect(stillRunning.filter((complete) => !complete).length).toBeGreaterThan(0);
    expect(await page.textContent('h1')).toBe('Live results of background jobs');
  });
});
