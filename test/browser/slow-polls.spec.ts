/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import type { TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';
import { startPageApp } from '../reliability/helpers/page-app.js';
import type { Major } from './support/results-page.js';
import { openPage, type WatchedPage } from './support/watched-page.js';

/** The fixture pages poll every 100 ms; each answer here takes three times that. */
const ANSWER_DELAY_MS = 300;
const ITEMS = 12;

/** The data-n of the items of each list on the page. */
function shown(page: Page): Promise<number[][]> {
  return page.$$eval('ul', (lists) =>
    lists.map((list) => [...list.querySelectorAll('li')].map((li) => Number(li.dataset.n))),
  );
}

/**
 * A server slower than the poll interval (a loaded machine): ticks fire while a poll is in
 * flight. htmx 4 queues such a request by default and sends it once the first returns, even
 * from a poller that answer replaced; with its stale cursor, its items would show twice.
 * The pollers drop those ticks (`hx-sync="this:drop"`).
 */
describe.each<Major>([2, 4])('polling slower than its interval, htmx %i (Chromium)', (major) => {
  let t: TestApp;
  let browser: Browser;
  let watched: WatchedPage;
  beforeAll(async () => {
    [t, browser] = await Promise.all([startPageApp(), launchChromium()]);
  });
  beforeEach(async () => {
    watched = await openPage(browser);
    await watched.page.route('**/pluto-rt/**/poll**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, ANSWER_DELAY_MS));
      await route.continue();
    });
  });
  afterEach(() => watched.close());
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each([
    ['one queue', 'poll'],
    ['a group of two', 'group'],
  ])('%s: every item once, and no poll from a cursor already answered', async (_, kind) => {
    const names = Array.from({ length: kind === 'poll' ? 1 : 2 }, () => t.rt.createQueueName());
    const path =
      kind === 'poll' ? `poll/${names[0]}` : `group/${names.join('.')}?transport=polling&`;
    await watched.page.goto(`${t.url}/rel/${path}${kind === 'poll' ? '?' : ''}htmx=${major}`);
    for (let n = 1; n <= ITEMS; n++) {
      for (const name of names) await t.rt.get(name).push({ n, text: `m${n}` });
      // Pushes spread over several answers, so that several polls carry items.
      await waitFor(
        async () => (await shown(watched.page)).flat().length >= n * names.length,
        `item ${n} on the page`,
      );
    }
    for (const name of names) await t.rt.get(name).complete();
    await watched.page.waitForFunction(
      () => document.querySelectorAll('.pluto-rt-poller[hx-get]').length === 0,
    );
    const expected = names.map(() => Array.from({ length: ITEMS }, (_, i) => i + 1));
    expect(await shown(watched.page)).toEqual(expected);
    // A cursor answered with items (200, or 286 at the end) moved the page on: a poll sent
    // from it afterwards comes from a poller that answer replaced.
    const polls = watched.streamRequests('poll').map((request) => ({
      cursor: new URL(request.url).searchParams.get('after') ?? '(first)',
      status: request.status,
    }));
    expect(polls.filter((poll) => poll.status === 200).length).toBeGreaterThanOrEqual(ITEMS / 2);
    const stale = polls.filter((poll, j) =>
      polls.some((earlier, i) => i < j && earlier.cursor === poll.cursor && earlier.status !== 204),
    );
    expect(stale).toEqual([]);
  });
});
