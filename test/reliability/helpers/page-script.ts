/** Page-side checks, as expressions: the test tsconfig has no DOM types. */
export const pageScript = {
  /** True once `selector` matches at least `n` elements. */
  atLeast: (selector: string, n: number) =>
    `document.querySelectorAll(${JSON.stringify(selector)}).length >= ${n}`,
  /** Sets `window.__closed` once htmx-ext-sse closes a stream on `event: close`. */
  recordSseClose: `window.__closed = false; document.addEventListener('htmx:sseClose', () => { window.__closed = true; });`,
  sseClosed: 'window.__closed === true',
};
