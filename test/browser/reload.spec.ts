/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import { queueIsComplete } from './support/queue-state.js';
import {
  launchDemo,
  shownItems,
  stepsUpTo,
  waitForCount,
  waitUntilFinished,
  type Transport,
} from './support/results-page.js';
import { useSampleInChromium } from './support/sample-in-chromium.js';
import { eventSourceStates } from './support/watched-page.js';

// Slow enough (25 x 200 ms) that a reload lands while the job still runs.
const STEP_MS = 200;

describe('reloading a results page mid-stream', () => {
  const ctx = useSampleInChromium({ stepMs: STEP_MS, pollInterval: '200ms' });

  it.each<Transport>(['sse', 'polling'])(
    'over %s shows the full history, then the live tail, with no duplicates',
    async (transport) => {
      const { page } = ctx.watched;
      const url = await launchDemo(page, ctx.sample.url, 'list', transport);
      await waitForCount(page, '#results > li', 3);
      await page.reload();
      expect(page.url()).toBe(url);
      // The history comes back at once...
      await waitForCount(page, '#results > li', 3);
      const historyCount = (await shownItems(page, '#results > li')).length;
      // ...while the job still runs, so what follows is the live tail.
      expect(await queueIsComplete(page, ctx.sample.prefixes.keyPrefix)).toBe(false);
      await waitUntilFinished(page);
      const items = await shownItems(page, '#results > li');
      expect(historyCount).toBeLessThan(items.length);
      expect(items.map((item) => item.step)).toEqual(stepsUpTo(25));
      expect(new Set(items.map((item) => item.text)).size).toBe(26);
      if (transport === 'sse') {
        // One stream per page load, and the current one ended for good.
        expect(ctx.watched.streamRequests('sse')).toHaveLength(2);
        expect(await eventSourceStates(page)).toEqual([2]);
      } else {
        expect(await page.locator('.pluto-rt-poller[hx-get]').count()).toBe(0);
      }
      expect(ctx.watched.consoleErrors).toEqual([]);
    },
  );
});
