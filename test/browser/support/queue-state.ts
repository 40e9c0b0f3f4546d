/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import type { Page } from 'playwright-core';

/**
 * Whether the queue shown by `page` is complete, asked through the module's own JSON poll
 * route with the page's signed URL (the signature binds queue, template and mode, not the
 * route or format).
 */
export async function queueIsComplete(page: Page, baseUrl: string): Promise<boolean> {
  const signed = await page.evaluate(
    () =>
      document.querySelector('[sse-connect]')?.getAttribute('sse-connect') ??
      document.querySelector('.pluto-rt-poller[hx-get]')?.getAttribute('hx-get') ??
      null,
  );
  if (signed === null) throw new Error('the page has no open stream element');
  const url = new URL(signed, baseUrl);
  url.pathname = url.pathname.replace(/\/sse\//, '/poll/');
  url.searchParams.delete('after');
  url.searchParams.set('format', 'json');
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`JSON poll answered ${res.status}`);
  return ((await res.json()) as { complete: boolean }).complete;
}
