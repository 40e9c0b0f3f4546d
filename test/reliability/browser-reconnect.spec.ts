import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import type { TestApp } from '../helpers/test-app.js';
import { startPageApp } from './helpers/page-app.js';
import { pageScript } from './helpers/page-script.js';
import { seededRng, suiteSeed } from './helpers/seeded-rng.js';
import { ServerSockets } from './helpers/server-sockets.js';

const TRIALS = 3;
/** Items per queue: one queue, or each of a group's eight. */
const ITEMS = { single: 60, group: 30 } as const;
const GROUP_SIZE = 8;

/**
 * A page in Chromium while its job pushes: the server drops the page's connection at 1 to 3
 * random points. Each major reconnects its own way (htmx 2: the EventSource, with
 * Last-Event-ID; htmx 4: hx-sse's fetch, with the header pluto-rt.js sets), and every list
 * must end with every item once, in order, whether one queue or a group of eight shares
 * the connection (the group's cursor resumes each of its queues).
 */
describe.each([2, 4] as const)(
  'htmx %i: the page resumes through random server cuts (Chromium)',
  (major) => {
    let t: TestApp;
    let browser: Browser;
    let sockets: ServerSockets;
    const rng = seededRng(suiteSeed(`browser-reconnect htmx ${major}`));

    beforeAll(async () => {
      [t, browser] = await Promise.all([startPageApp({ sseRetryMs: 100 }), launchChromium()]);
      sockets = new ServerSockets(t.app.getHttpServer());
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it.each(['single', 'group'] as const)(
      `%s: every item once, in order, in each of ${TRIALS} trials`,
      async (kind) => {
        const totals = { pushed: 0, shown: 0, cuts: 0, sseRequests: 0 };
        for (let trial = 0; trial < TRIALS; trial++) {
          const size = kind === 'single' ? 1 : GROUP_SIZE;
          const names = Array.from({ length: size }, () => t.rt.createQueueName());
          const items = ITEMS[kind];
          // The pushes (one round = one item per queue) before which the server cuts.
          const cuts = new Set<number>();
          const cutCount = rng.int(1, 3);
          while (cuts.size < cutCount) cuts.add(rng.int(2, items));

          for (const name of names) await t.rt.get(name).push({ n: 1, text: 'm1' });
          const page = await browser.newPage();
          let sseRequests = 0;
          page.on('request', (r) => {
            if (/\/pluto-rt\/(group\/)?sse/.test(new URL(r.url()).pathname)) sseRequests++;
          });
          const path = kind === 'single' ? `sse/${names[0]}` : `group/${names.join('.')}`;
          await page.goto(`${t.url}/rel/${path}?htmx=${major}`);
          await page.evaluate(pageScript.recordSseClose);
          const lists = kind === 'single' ? ['#results'] : names.map((_, i) => `#q${i}`);
          await page.waitForFunction(pageScript.atLeast(`${lists[lists.length - 1]} li.item`, 1));

          for (let n = 2; n <= items; n++) {
            if (cuts.has(n)) totals.cuts += sockets.destroyAll() > 0 ? 1 : 0;
            for (const name of names) await t.rt.get(name).push({ n, text: `m${n}` });
          }
          for (const name of names) await t.rt.get(name).complete();
          await page.waitForFunction(pageScript.sseClosed, undefined, { timeout: 20_000 });

          const shown = await page.evaluate(
            `[${JSON.stringify(lists)}].flat().map((sel) => [...document.querySelectorAll(sel + ' li.item')].map((li) => Number(li.getAttribute('data-n'))))`,
          );
          const expected = lists.map(() => Array.from({ length: items }, (_, i) => i + 1));
          const context = `trial ${trial} (seed ${rng.seed}), cuts before ${JSON.stringify([...cuts])}`;
          expect({ context, shown }).toEqual({ context, shown: expected });
          totals.pushed += items * size;
          totals.shown += (shown as number[][]).flat().length;
          totals.sseRequests += sseRequests;
          await page.close();
        }
        process.stdout.write(
          `[browser-reconnect] htmx ${major} ${kind}: ${JSON.stringify(totals)}\n`,
        );
        // The cuts happened and were each followed by a reconnect.
        expect(totals.cuts).toBeGreaterThanOrEqual(TRIALS);
        expect(totals.sseRequests).toBeGreaterThanOrEqual(TRIALS + totals.cuts);
      },
      120_000,
    );
  },
);
