/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface LoggedRequest {
  url: string;
  method: string;
  status?: number;
  /** 'finished' once the response body ended, 'failed' if it was aborted or broke. */
  outcome: 'pending' | 'finished' | 'failed';
}

/** A page whose console errors and warnings and network traffic the test can inspect. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  consoleWarnings: string[];
  requests: LoggedRequest[];
  /**
   * Requests of a stream route: `/pluto-rt/<route>/` (one queue) or `/pluto-rt/group/<route>`
   * (a group), or only the group's with `group-sse` / `group-poll`.
   */
  streamRequests(route: StreamRoute): LoggedRequest[];
  close(): Promise<void>;
}

export type StreamRoute = 'sse' | 'poll' | 'group-sse' | 'group-poll';

/** Why each SSE element of the page closed, as its htmx reported it (`message`: the close event). */
export interface SseClose {
  id: string;
  reason: string;
}

/**
 * Opens a page in a fresh context. Every EventSource the page creates is recorded in
 * `window.__eventSources`, so a test can check that all of them ended up CLOSED (htmx 2);
 * every SSE close that htmx reports, in `window.__sseCloses` (htmx 2 and htmx 4, whose
 * hx-sse streams with fetch).
 */
export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  await context.addInitScript(() => {
    const Native = window.EventSource;
    const opened: EventSource[] = [];
    const closes: SseClose[] = [];
    const w = window as unknown as { __eventSources: EventSource[]; __sseCloses: SseClose[] };
    w.__eventSources = opened;
    w.__sseCloses = closes;
    window.EventSource = class extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        opened.push(this);
      }
    };
    const record = (reason: string) => (event: Event) =>
      closes.push({ id: (event.target as Element).id, reason });
    document.addEventListener('htmx:sseClose', (event) =>
      record((event as CustomEvent<{ type: string }>).detail.type)(event),
    );
    document.addEventListener('htmx:sse:close', (event) =>
      record((event as CustomEvent<{ reason: string }>).detail.reason)(event),
    );
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const consoleWarnings: string[] = [];
  const requests: LoggedRequest[] = [];
  const byRequest = new Map<object, LoggedRequest>();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
    if (message.type() === 'warning') consoleWarnings.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => {
    const entry: LoggedRequest = {
      url: request.url(),
      method: request.method(),
      outcome: 'pending',
    };
    byRequest.set(request, entry);
    requests.push(entry);
  });
  page.on('response', (response) => {
    const entry = byRequest.get(response.request());
    if (entry) entry.status = response.status();
  });
  page.on('requestfinished', (request) => {
    const entry = byRequest.get(request);
    if (entry) entry.outcome = 'finished';
  });
  page.on('requestfailed', (request) => {
    const entry = byRequest.get(request);
    if (entry) entry.outcome = 'failed';
  });
  return {
    context,
    page,
    consoleErrors,
    consoleWarnings,
    requests,
    streamRequests: (route) =>
      requests.filter((r) => {
        const path = new URL(r.url).pathname;
        if (route === 'group-sse' || route === 'group-poll')
          return path === `/pluto-rt/group/${route.slice(6)}`;
        return path.startsWith(`/pluto-rt/${route}/`) || path === `/pluto-rt/group/${route}`;
      }),
    close: () => context.close(),
  };
}

/** readyState of every EventSource the page opened (2 = CLOSED). */
export function eventSourceStates(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    (window as unknown as { __eventSources: EventSource[] }).__eventSources.map(
      (source) => source.readyState,
    ),
  );
}

/** Every SSE close htmx reported on the page so far. */
export function sseCloses(page: Page): Promise<SseClose[]> {
  return page.evaluate(() => (window as unknown as { __sseCloses: SseClose[] }).__sseCloses);
}
