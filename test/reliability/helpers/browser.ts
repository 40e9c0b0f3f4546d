import { chromium, type Browser } from 'playwright-core';

/** Debian's headless Chromium, quiet (no background traffic that could disturb the tests). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Page-side checks, as expressions: the test tsconfig has no DOM types. */
export const pageScript = {
  /** True once `selector` matches at least `n` elements. */
  atLeast: (selector: string, n: number) =>
    `document.querySelectorAll(${JSON.stringify(selector)}).length >= ${n}`,
  /** Sets `window.__closed` once htmx-ext-sse closes a stream on `event: close`. */
  recordSseClose: `window.__closed = false; document.addEventListener('htmx:sseClose', () => { window.__closed = true; });`,
  sseClosed: 'window.__closed === true',
};
