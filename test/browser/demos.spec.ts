/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import {
  chooseMajor,
  expectStreamsClosed,
  launchDemo,
  quietFor,
  shownItems,
  stepsUpTo,
  waitUntilFinished,
  type Major,
  type ShownItem,
  type Transport,
} from './support/results-page.js';
import { DASHBOARD_PANELS } from '../../sample/src/demos/dashboard.js';
import { useSampleInChromium } from './support/sample-in-chromium.js';
import { REPO_ROOT } from './support/sample-process.js';
import { eventSourceStates, openPage } from './support/watched-page.js';

const POLL_MS = 200;
const SCREENSHOT = `${REPO_ROOT}/docs/progress-demo.png`;

/** The list demo's 25 steps as the page must show them (after the "queued" line, step 0). */
function expectStatusLines(items: ShownItem[], lastStep: number, total = 25): void {
  expect(items.map((item) => item.step)).toEqual(stepsUpTo(lastStep));
  expect(items[0]!.text).toContain('Job queued');
  for (const item of items.slice(1)) expect(item.text).toContain(`Step ${item.step}/${total}: `);
}

/**
 * Records, from the first byte of every page the tab loads, each value a progress bar
 * shows in its `.progress-box` (keyed by the box's id): the parser's first bar included.
 */
async function recordBars(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: Record<string, number[]> = {};
    (window as unknown as { __progress: Record<string, number[]> }).__progress = seen;
    new MutationObserver((mutations) => {
      for (const mutation of mutations)
        for (const node of mutation.addedNodes) {
          const bar =
            node instanceof Element
              ? node.matches('[role="progressbar"]')
                ? node
                : node.querySelector('[role="progressbar"]')
              : null;
          const box = bar?.closest('.progress-box');
          if (bar && box) (seen[box.id] ??= []).push(Number(bar.getAttribute('aria-valuenow')));
        }
    }).observe(document, { childList: true, subtree: true });
  });
}

function barValues(page: Page): Promise<Record<string, number[]>> {
  return page.evaluate(
    () => (window as unknown as { __progress: Record<string, number[]> }).__progress,
  );
}

/** Each demo over each transport under each htmx major; the switch is the index page's. */
describe.each<Major>([2, 4])('sample app in Chromium, htmx %i', (major) => {
  const ctx = useSampleInChromium({ stepMs: 20, pollInterval: `${POLL_MS}ms` });

  beforeEach(async () => {
    await chooseMajor(ctx.watched.page, ctx.sample.url, major);
  });

  /** No console error and no console warning (htmx 4 warns about htmx 2's sse-* names). */
  const expectQuietConsole = (watched = ctx.watched) => {
    expect(watched.consoleErrors).toEqual([]);
    expect(watched.consoleWarnings).toEqual([]);
  };

  describe.each<Transport>(['sse', 'polling'])('over %s', (transport) => {
    it('list: 25 status messages of every level, appended in order; the stream closes', async () => {
      await launchDemo(ctx.watched.page, ctx.sample.url, 'list', transport);
      await waitUntilFinished(ctx.watched.page);
      const items = await shownItems(ctx.watched.page, '#results > li');
      expectStatusLines(items, 25);
      const levelOf = (step: number) => items[step]!.level;
      expect([levelOf(1), levelOf(5), levelOf(6), levelOf(7), levelOf(25)]).toEqual([
        'info',
        'success',
        'warning',
        'danger',
        'success',
      ]);
      expect(items[25]!.text).toContain('all 25 batches imported');
      await expectStreamsClosed(ctx.watched, transport, 1, POLL_MS);
      expectQuietConsole();
    });

    it('reverse: the same messages, newest on top', async () => {
      await launchDemo(ctx.watched.page, ctx.sample.url, 'reverse', transport);
      await waitUntilFinished(ctx.watched.page);
      const items = await shownItems(ctx.watched.page, '#results > li');
      expectStatusLines([...items].reverse(), 25);
      expect(items[0]!.text).toContain('Step 25/25');
      await expectStreamsClosed(ctx.watched, transport, 1, POLL_MS);
      expectQuietConsole();
    });

    it('progress: one bar, replaced in place, fills to 100 % and says done', async () => {
      const { page } = ctx.watched;
      await launchDemo(page, ctx.sample.url, 'progress', transport);
      // Record every value the bar shows from now on: it must only ever grow.
      await page.evaluate(() => {
        const seen: number[] = [];
        (window as unknown as { __progress: number[] }).__progress = seen;
        const box = document.getElementById('progress')!;
        new MutationObserver(() => {
          const bar = box.querySelector('[role="progressbar"]');
          if (bar) seen.push(Number(bar.getAttribute('aria-valuenow')));
        }).observe(box, { childList: true, subtree: true });
      });
      await waitUntilFinished(page);
      expect(await page.locator('#progress [role="progressbar"]').count()).toBe(1);
      expect(await page.getAttribute('#progress [role="progressbar"]', 'aria-valuenow')).toBe(
        '100',
      );
      expect(await page.locator('#progress .progress-done').count()).toBe(1);
      expect(await page.textContent('#progress .progress-label')).toContain('100 % · Done');
      const seen = await page.evaluate(
        () => (window as unknown as { __progress: number[] }).__progress,
      );
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen.at(-1)).toBe(100);
      if (transport === 'sse' && major === 2) {
        mkdirSync(`${REPO_ROOT}/docs`, { recursive: true });
        const actions = await page.locator('.actions').boundingBox();
        const height = Math.ceil(actions!.y + actions!.height + 24);
        await page.screenshot({
          path: SCREENSHOT,
          animations: 'disabled',
          clip: { x: 0, y: 0, width: 1100, height },
        });
      }
      await expectStreamsClosed(ctx.watched, transport, 1, POLL_MS);
      expectQuietConsole();
    });

    it('toasts: each message pops up as a toast and fades away', async () => {
      const { page } = ctx.watched;
      await launchDemo(page, ctx.sample.url, 'toasts', transport);
      await waitUntilFinished(page);
      const toasts = await shownItems(page, '#toasts > .toast');
      expect(toasts.map((toast) => toast.step)).toEqual(stepsUpTo(8));
      expect(toasts[1]).toEqual({
        step: '1',
        level: 'info',
        text: 'New order #1041 from Ada (1/8)',
      });
      expect(toasts[5]).toEqual({
        step: '5',
        level: 'danger',
        text: 'Card declined for order #1043 (5/8)',
      });
      // Each toast runs the CSS animation that pops it in and fades it out; run them to their
      // end (rather than wait 4 s) and check that every toast is then invisible.
      const animations = await page.$$eval('#toasts > .toast', (elements) =>
        elements.map((el) =>
          el
            .getAnimations()
            .map((a) => (a as CSSAnimation).animationName)
            .join(),
        ),
      );
      expect(animations).toEqual(Array(9).fill('toast-life'));
      const opacities = await page.$$eval('#toasts > .toast', (elements) => {
        for (const el of elements) for (const animation of el.getAnimations()) animation.finish();
        return elements.map((el) => getComputedStyle(el).opacity);
      });
      expect(opacities).toEqual(Array(9).fill('0'));
      await expectStreamsClosed(ctx.watched, transport, 1, POLL_MS);
      expectQuietConsole();
    });

    it('two consumers: both panels of one queue receive every message', async () => {
      await launchDemo(ctx.watched.page, ctx.sample.url, 'two-consumers', transport);
      await waitUntilFinished(ctx.watched.page);
      const left = await shownItems(ctx.watched.page, '#left > li');
      const right = await shownItems(ctx.watched.page, '#right > li');
      expectStatusLines(left, 25);
      expect(right).toEqual(left);
      await expectStreamsClosed(ctx.watched, transport, 2, POLL_MS);
      expectQuietConsole();
    });

    it('failure: the job throws halfway, the page shows why and the stream closes cleanly', async () => {
      await launchDemo(ctx.watched.page, ctx.sample.url, 'failure', transport);
      await waitUntilFinished(ctx.watched.page);
      const items = await shownItems(ctx.watched.page, '#results > li');
      expectStatusLines(items.slice(0, -1), 12);
      expect(items.at(-1)).toEqual({
        step: '',
        level: 'danger',
        text: 'danger Job failed: the orders API answered 503 at step 13 of 25',
      });
      await expectStreamsClosed(ctx.watched, transport, 1, POLL_MS);
      expectQuietConsole();
    });

    it('json: plain JavaScript without htmx reads the JSON flavour', async () => {
      const { page } = ctx.watched;
      await launchDemo(page, ctx.sample.url, 'json', transport);
      expect(await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx)).toBe(
        'undefined',
      );
      await waitUntilFinished(page);
      const items = await shownItems(page, '#results > li');
      expectStatusLines(items, 25);
      expect(items[7]!.text).toBe('danger: Step 7/25: record 259 rejected: missing customer id');
      const route = transport === 'sse' ? 'sse' : 'poll';
      const requests = ctx.watched.streamRequests(route);
      // URLs signed without an item template: JSON by their signature, with no tpl.
      expect(requests.every((request) => !new URL(request.url).searchParams.has('tpl'))).toBe(true);
      if (transport === 'sse') {
        expect(requests).toHaveLength(1);
        expect(await eventSourceStates(page)).toEqual([2]);
      } else {
        expect(requests.at(-1)!.status).toBe(200);
        await quietFor(3 * POLL_MS + 100);
        expect(ctx.watched.streamRequests(route)).toHaveLength(requests.length);
      }
      expectQuietConsole();
    });

    it('dashboard: 8 jobs on one connection, each into its own card, in order and once; all end', async () => {
      const { page } = ctx.watched;
      await recordBars(page);
      await launchDemo(page, ctx.sample.url, 'dashboard', transport);
      await waitUntilFinished(page, 30_000);
      for (const panel of DASHBOARD_PANELS) {
        const box = `#job-${panel.slug}`;
        const total = panel.job.steps;
        if (panel.swapMode === 'replace') {
          expect(await page.locator(`${box} [role="progressbar"]`).count()).toBe(1);
          expect(await page.getAttribute(`${box} [role="progressbar"]`, 'aria-valuenow')).toBe(
            '100',
          );
          expect(await page.textContent(`${box} .progress-label`)).toContain('100 % · Done');
          continue;
        }
        const items = await shownItems(page, `${box} > li`);
        // Its own job's lines (their totals say whose), each once, in its mode's order.
        expectStatusLines(
          panel.swapMode === 'reverse' ? [...items].reverse() : items,
          total,
          total,
        );
      }
      const bars = await barValues(page);
      for (const values of Object.values(bars)) {
        expect(values.at(-1)).toBe(100);
        expect(values).toEqual([...values].sort((a, b) => a - b));
      }
      expect(Object.keys(bars)).toHaveLength(3);
      if (transport === 'sse' && major === 4) {
        const actions = await page.locator('.actions').boundingBox();
        await page.screenshot({
          path: `${REPO_ROOT}/docs/dashboard-demo.png`,
          animations: 'disabled',
          fullPage: true,
          clip: { x: 0, y: 0, width: 1100, height: Math.ceil(actions!.y + actions!.height + 24) },
        });
      }
      // One connection (or one poll loop) for the eight.
      const route = transport === 'sse' ? 'group-sse' : 'group-poll';
      expect(ctx.watched.streamRequests(route).length).toBe(
        ctx.watched.streamRequests(transport === 'sse' ? 'sse' : 'poll').length,
      );
      await expectStreamsClosed(ctx.watched, transport, 1, POLL_MS);
      expectQuietConsole();
    });
  });

  it('two pages on the same queue, one over SSE and one polling, both receive all 25 messages', async () => {
    const second = await openPage(ctx.browser);
    try {
      await chooseMajor(second.page, ctx.sample.url, major);
      const url = await launchDemo(ctx.watched.page, ctx.sample.url, 'list', 'sse');
      await second.page.goto(url.replace('/list/sse/', '/list/polling/'));
      await Promise.all([waitUntilFinished(ctx.watched.page), waitUntilFinished(second.page)]);
      const first = await shownItems(ctx.watched.page, '#results > li');
      expectStatusLines(first, 25);
      expect(await shownItems(second.page, '#results > li')).toEqual(first);
      await expectStreamsClosed(ctx.watched, 'sse', 1, POLL_MS);
      await expectStreamsClosed(second, 'polling', 1, POLL_MS);
      expectQuietConsole();
      expectQuietConsole(second);
    } finally {
      await second.close();
    }
  });
});
