/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { goneQueue } from '../helpers/gone-queue.js';
import { RawSseClient } from '../helpers/sse-client.js';
import type { TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';
import { startPageApp } from '../reliability/helpers/page-app.js';
import { quietFor, type Major } from './support/results-page.js';
import { openPage, sseCloses, type WatchedPage } from './support/watched-page.js';

const RETRY_MS = 300;

/** The data-n of the items each list of the page shows. */
function shown(page: Page): Promise<number[][]> {
  return page.$$eval('ul', (lists) =>
    lists.map((list) => [...list.children].map((li) => Number(li.getAttribute('data-n')))),
  );
}

/** Waits until the page's htmx reports that its stream(s) closed on their close event. */
async function untilClosed(page: Page, count = 1): Promise<void> {
  await waitFor(
    async () => (await sseCloses(page)).filter((c) => c.reason === 'message').length >= count,
    'the stream to close on its close event',
  );
}

describe.each<Major>([2, 4])(
  'refusals of a page’s stream on its first connect, htmx %i',
  (major) => {
    let browser: Browser;
    let watched: WatchedPage;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    beforeEach(async () => {
      watched = await openPage(browser);
    });
    afterEach(() => watched.close());
    afterAll(() => browser?.close());

    describe('too many streams (maxStreams): the page retries and catches up', () => {
      let t: TestApp;
      beforeAll(async () => {
        t = await startPageApp({ maxStreams: 1, sseRetryMs: RETRY_MS });
      });
      afterAll(() => t.close());

      it.each([
        ['one queue', 'sse'],
        ['a group of three', 'group'],
      ])('%s: refused while the only slot is taken, then every item once', async (_, kind) => {
        const names = Array.from({ length: kind === 'sse' ? 1 : 3 }, () => t.rt.createQueueName());
        for (const name of names)
          for (let n = 1; n <= 3; n++) await t.rt.get(name).push({ n, text: `m${n}` });
        // Another client holds the one stream this server allows.
        const holder = await RawSseClient.open(
          t.url + t.rt.rtUrls(t.rt.createQueueName(), { itemTemplate: 'pluto_rt/list_item' }).sse,
        );
        try {
          await watched.page.goto(`${t.url}/rel/${kind}/${names.join('.')}?htmx=${major}`);
          // Refused (in the page's terms: "wait and come back"), more than once.
          await waitFor(
            () => watched.streamRequests('sse').length >= 3,
            'the page to retry',
            10_000,
          );
          expect((await shown(watched.page)).flat()).toEqual([]);
        } finally {
          holder.destroy();
        }
        await waitFor(
          async () => (await shown(watched.page)).flat().length === 3 * names.length,
          'the page to catch up',
        );
        for (const name of names) {
          await t.rt.get(name).push({ n: 4, text: 'm4' });
          await t.rt.get(name).complete();
        }
        await untilClosed(watched.page);
        expect(await shown(watched.page)).toEqual(names.map(() => [1, 2, 3, 4]));
        const requests = watched.streamRequests('sse');
        expect(requests.every((r) => r.status === 200)).toBe(true);
        const count = requests.length;
        await quietFor(3 * RETRY_MS);
        expect(watched.streamRequests('sse')).toHaveLength(count);
        // htmx 4 reconnects a cleanly ended stream in silence; htmx-ext-sse 2 logs each one.
        if (major === 4) expect(watched.consoleErrors).toEqual([]);
        expect(watched.consoleWarnings).toEqual([]);
      });
    });

    describe('an expired URL: the page says so and stops', () => {
      let t: TestApp;
      beforeAll(async () => {
        t = await startPageApp({ urlTtlSeconds: 1, sseRetryMs: RETRY_MS });
      });
      afterAll(() => t.close());

      it.each([
        ['one queue', 'sse', '.pluto-rt-sse'],
        ['a group', 'group', '.pluto-rt-group'],
      ])(
        '%s: the styled notice in the element, no further request, no console error',
        async (_, kind, element) => {
          const names = [t.rt.createQueueName(), t.rt.createQueueName()].slice(
            0,
            kind === 'sse' ? 1 : 2,
          );
          for (const name of names) await t.rt.get(name).push({ n: 1, text: 'm1' });
          const { page } = watched;
          // Hold the page's first connect until its URL has expired (a page opened, then left
          // alone past its URL's life before it connected: a laptop waking up, say).
          await page.route(
            `**/pluto-rt/${kind === 'sse' ? 'sse' : 'group/sse'}**`,
            async (route) => {
              const url = route.request().url();
              await waitFor(
                async () => (await fetch(url.replace(/&el=[^&]+/, ''))).status === 403,
                'the URL to expire',
                5_000,
              );
              await route.continue();
            },
          );
          await page.goto(`${t.url}/rel/${kind}/${names.join('.')}?htmx=${major}`);
          const notice = page.locator(`${element} > .pluto-rt-notice`);
          await notice.waitFor({ timeout: 10_000 });
          expect(await notice.getAttribute('data-reason')).toBe('expired');
          expect(await notice.textContent()).toBe(
            'This live view has expired: reload the page to follow it again.',
          );
          expect(await notice.evaluate((el) => getComputedStyle(el).borderLeftStyle)).toBe('solid');
          await untilClosed(page);
          expect((await shown(page)).flat()).toEqual([]);
          await quietFor(5 * RETRY_MS);
          expect(watched.streamRequests('sse')).toHaveLength(1);
          expect(watched.consoleErrors).toEqual([]);
          expect(watched.consoleWarnings).toEqual([]);
        },
      );
    });

    describe('a gone queue in a group', () => {
      let t: TestApp;
      beforeAll(async () => {
        t = await startPageApp({ completedTtlSeconds: 1 });
      });
      afterAll(() => t.close());

      it('shows the notice in its own list; the others stream on and the group closes', async () => {
        const gone = await goneQueue(t);
        const live = t.rt.createQueueName();
        await t.rt.get(live).push({ n: 1, text: 'm1' });
        const { page } = watched;
        await page.goto(`${t.url}/rel/group/${gone}.${live}?htmx=${major}`);
        await page.locator('#q0 > .pluto-rt-notice[data-reason="gone"]').waitFor();
        await t.rt.get(live).push({ n: 2, text: 'm2' });
        await t.rt.get(live).complete();
        await untilClosed(page);
        expect(
          await page.$$eval('#q1 > li', (items) => items.map((li) => li.getAttribute('data-n'))),
        ).toEqual(['1', '2']);
        expect(watched.streamRequests('sse')).toHaveLength(1);
        expect(watched.consoleErrors).toEqual([]);
        expect(watched.consoleWarnings).toEqual([]);
      });
    });
  },
);
