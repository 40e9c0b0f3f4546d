/** Page-side checks, as expressions: the test tsconfig has no DOM types. */
export const pageScript = {
  /** True once `selector` matches at least `n` elements. */
  atLeast: (selector: string, n: number) =>
    `document.querySelectorAll(${JSON.stringify(selector)}).length >= ${n}`,
  /** Sets `window.__closed` once htmx closes a stream on `event: close` (htmx 2 or 4). */
  recordSseClose: `window.__closed = false;
    document.addEventListener('htmx:sseClose', (e) => { if (e.detail.type === 'message') window.__closed = true; });
    document.addEventListener('htmx:sse:close', (e) => { if (e.detail.reason === 'message') window.__closed = true; });`,
  sseClosed: 'window.__closed === true',
};
