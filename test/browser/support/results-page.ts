/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Page } from 'playwright-core';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventSourceStates, sseCloses, type WatchedPage } from './watched-page.js';

export type Transport = 'sse' | 'polling';
export type Major = 2 | 4;

export interface ShownItem {
  step: string;
  level: string;
  text: string;
}

/** From the index page, clicks the demo's button and resolves with the results page URL. */
export async function launchDemo(
  page: Page,
  baseUrl: string,
  slug: string,
  transport: Transport,
): Promise<string> {
  await page.goto(`${baseUrl}/`);
  await Promise.all([
    // One queue, or the dashboard's, joined by ".".
    page.waitForURL(new RegExp(`/demos/${slug}/${transport}/rtq_[\\w-]+(\\.rtq_[\\w-]+)*$`)),
    page.click(`button[data-demo="${slug}"][data-transport="${transport}"]`),
  ]);
  return page.url();
}

/**
 * Switches this browser to htmx `major` with the index page's link (a cookie), and checks
 * that the index page then runs on it.
 */
export async function chooseMajor(page: Page, baseUrl: string, major: Major): Promise<void> {
  await page.goto(`${baseUrl}/`);
  // The link answers with a redirect to this same page: wait for it to load again.
  await Promise.all([page.waitForEvent('load'), page.click(`a[data-htmx="${major}"]`)]);
  expect(await htmxVersion(page)).toMatch(new RegExp(`^${major}\\.`));
}

/** The version of the htmx the page runs. */
export function htmxVersion(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window as unknown as { htmx?: { version: string } }).htmx?.version);
}

/** Waits until every stream panel of the page says its stream ended (close event or 286). */
export async function waitUntilFinished(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const panels = [...document.querySelectorAll('[data-stream-panel]')];
      return (
        panels.length > 0 &&
        panels.every((panel) => panel.getAttribute('data-stream') === 'finished')
      );
    },
    undefined,
    { timeout, polling: 50 },
  );
}

/** Waits until `selector` matches at least `count` elements. */
export async function waitForCount(
  page: Page,
  selector: string,
  count: number,
  timeout = 20_000,
): Promise<void> {
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(sel as string).length >= (n as number),
    [selector, count],
    { timeout, polling: 20 },
  );
}

/** The status items (or toasts) under `selector`, in document order. */
export function shownItems(page: Page, selector: string): Promise<ShownItem[]> {
  return page.$$eval(selector, (elements) =>
    elements.map((element) => {
      const level = [...element.classList].find((name) => /^(status|toast)-/.test(name)) ?? '';
      return {
        step: (element as HTMLElement).dataset.step ?? '',
        level: level.replace(/^(status|toast)-/, ''),
        text: (element.textContent ?? '').replace(/\s+/g, ' ').trim(),
      };
    }),
  );
}

/** "0".."n": the queued line the web app writes, then one per job step. */
export function stepsUpTo(n: number): string[] {
  return Array.from({ length: n + 1 }, (_, i) => String(i));
}

/**
 * Checks that the page's streams ended for good: over SSE, one request per consumer, each
 * closed by its close event as its htmx reports it (and, under htmx 2, every EventSource
 * CLOSED: a closed EventSource never reconnects); over polling, each poller got its 286,
 * was replaced by an inert element. Either way nothing more is requested for three poll
 * intervals (htmx 4 would reconnect a stream that ended without its close event).
 */
export async function expectStreamsClosed(
  watched: WatchedPage,
  transport: Transport,
  consumers: number,
  pollIntervalMs: number,
): Promise<void> {
  if (transport === 'sse') {
    const requests = watched.streamRequests('sse');
    expect(requests).toHaveLength(consumers);
    for (const request of requests) expect(request.status).toBe(200);
    const closes = await sseCloses(watched.page);
    expect(closes.map((close) => close.reason)).toEqual(Array(consumers).fill('message'));
    for (const state of await eventSourceStates(watched.page)) expect(state).toBe(2);
    expect(watched.streamRequests('poll')).toHaveLength(0);
  } else {
    const polls = watched.streamRequests('poll');
    expect(polls.filter((request) => request.status === 286)).toHaveLength(consumers);
    expect(polls.every((request) => [200, 204, 286].includes(request.status ?? 0))).toBe(true);
    expect(await watched.page.locator('.pluto-rt-poller').count()).toBe(consumers);
    expect(await watched.page.locator('.pluto-rt-poller[hx-get]').count()).toBe(0);
    expect(watched.streamRequests('sse')).toHaveLength(0);
  }
  const before = watched.requests.length;
  await quietFor(3 * pollIntervalMs + 100);
  expect(watched.requests.length).toBe(before);
}

/**
 * The one fixed wait the suites allow: after a stream has ended (a DOM condition), watch
 * for `ms` that nothing more happens. Absence cannot be awaited as an event.
 */
export function quietFor(ms: number): Promise<void> {
  return sleep(ms);
}
