import type { IncomingMessage } from 'node:http';
import type { Browser, Page, Request } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { pageScript } from './helpers/page-script.js';
import { startPageApp } from './helpers/page-app.js';
import { ServerSockets } from './helpers/server-sockets.js';
import type { TestApp } from '../helpers/test-app.js';

const N = 60;

/** The data-n of every item the page shows, in document order. */
function shownItems(page: Page): Promise<number[]> {
  return page.$$eval('#results li.item', (items) =>
    items.map((li) => Number(li.getAttribute('data-n'))),
  );
}

/**
 * The page's stream is cut and its reconnect refused (500): the worst path each htmx takes.
 * htmx-ext-sse 2 answers the failed EventSource (CLOSED) by opening a new one, which sends
 * no Last-Event-ID: pluto-rt.js keeps `after=` in its URL. htmx 4 backs off and tries again
 * with the Last-Event-ID header, which pluto-rt.js sets to the last item shown. Either way,
 * each item shows once.
 */
describe.each([2, 4] as const)(
  'htmx %i: reconnect after a refused reconnect (Chromium)',
  (major) => {
    let t: TestApp;
    let browser: Browser;
    let sockets: ServerSockets;
    const serverSse: Array<{ after?: string; lastEventId?: string }> = [];

    beforeAll(async () => {
      [t, browser] = await Promise.all([startPageApp(), launchChromium()]);
      sockets = new ServerSockets(t.app.getHttpServer());
      // What reached the server (Playwright cannot see headers the network stack adds).
      t.app.getHttpServer().on('request', (req: IncomingMessage) => {
        const url = new URL(req.url ?? '/', t.url);
        if (!url.pathname.startsWith('/pluto-rt/sse/')) return;
        serverSse.push({
          after: url.searchParams.get('after') ?? undefined,
          lastEventId: req.headers['last-event-id'] as string | undefined,
        });
      });
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it(`shows each of ${N} messages exactly once when the stream is cut and its reconnect refused mid-job`, async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      const ids: string[] = [];
      const push = async (from: number, to: number) => {
        for (let n = from; n <= to; n++) ids.push(await queue.push({ n, text: `m${n}` }));
      };
      await push(1, 20);

      const page = await browser.newPage();
      const sseRequests: Request[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/pluto-rt/sse/')) sseRequests.push(request);
      });
      await page.goto(`${t.url}/rel/sse/${name}?htmx=${major}`);
      await page.evaluate(pageScript.recordSseClose);
      await page.waitForFunction(pageScript.atLeast('#results li.item', 20));

      // The first reconnect (with Last-Event-ID) is answered 500.
      let failed!: (request: Request) => void;
      const failedRequest = new Promise<Request>((resolve) => (failed = resolve));
      await page.route(
        '**/pluto-rt/sse/**',
        (route) => {
          failed(route.request());
          return route.fulfill({
            status: 500,
            contentType: 'text/plain',
            body: 'injected failure',
          });
        },
        { times: 1 },
      );
      expect(sockets.destroyAll()).toBeGreaterThan(0);
      await push(21, 40); // during the outage
      const refused = await failedRequest;

      await page.waitForFunction(pageScript.atLeast('#results li.item', 40), undefined, {
        timeout: 15_000,
      });
      await push(41, N);
      await queue.complete();
      await page.waitForFunction(pageScript.sseClosed, undefined, { timeout: 15_000 });

      const shown = await shownItems(page);
      const duplicates = shown.length - new Set(shown).size;
      process.stdout.write(
        `[htmx-reconnect] htmx ${major}: pushed ${N}, shown ${shown.length}, duplicates ${duplicates}, SSE requests ${sseRequests.length}\n`,
      );
      expect(shown).toEqual(Array.from({ length: N }, (_, i) => i + 1));

      // The path taken. The refused request was a reconnect to the original URL.
      expect(new URL(refused.url()).searchParams.has('after')).toBe(false);
      const resumed = serverSse.at(-1)!;
      expect(serverSse.length).toBeGreaterThanOrEqual(2);
      if (major === 2) {
        // The EventSource htmx opened after it reached the server without Last-Event-ID, and
        // resumed from the `after` the page script put in its URL.
        expect(resumed.lastEventId).toBeUndefined();
        expect(resumed.after).toBe(ids[19]);
      } else {
        // htmx 4 tried again with the header, set to the last item the page showed.
        expect(resumed.after).toBeUndefined();
        expect(resumed.lastEventId).toBe(ids[19]);
      }
      await page.close();
    }, 60_000);
  },
);
