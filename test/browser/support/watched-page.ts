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

/** A page whose console errors and network traffic the test can inspect. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  consoleErrors: string[];
  requests: LoggedRequest[];
  /** Requests whose path starts with `/pluto-rt/<route>/`. */
  streamRequests(route: 'sse' | 'poll'): LoggedRequest[];
  close(): Promise<void>;
}

/**
 * Opens a page in a fresh context. Every EventSource the page creates is recorded in
 * `window.__eventSources`, so a test can check that all of them ended up CLOSED.
 */
export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  await context.addInitScript(() => {
    const Native = window.EventSource;
    const opened: EventSource[] = [];
    (window as unknown as { __eventSources: EventSource[] }).__eventSources = opened;
    window.EventSource = class extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        opened.push(this);
      }
    };
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const requests: LoggedRequest[] = [];
  const byRequest = new Map<object, LoggedRequest>();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
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
    requests,
    streamRequests: (route) =>
      requests.filter((r) => new URL(r.url).pathname.startsWith(`/pluto-rt/${route}/`)),
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
