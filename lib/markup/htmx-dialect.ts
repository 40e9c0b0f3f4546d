import type { Attrs } from './html.js';

/** The htmx majors the markup is written for. */
export const HTMX_MAJORS = [2, 4] as const;
export type HtmxMajor = (typeof HTMX_MAJORS)[number];

/** The named SSE event that ends a stream (`sse-close` / `hx-sse:close`). */
export const CLOSE_EVENT = 'close';

/** What differs between the htmx majors in the markup a page receives. */
export interface HtmxDialect {
  /** Asset files that load this htmx and its SSE extension, in load order. */
  readonly scripts: readonly string[];
  /** Opens a stream from `url` on load, swaps its unnamed events, closes on `event: close`. */
  sse(url: string): Attrs;
  /** Keeps an error page out of the target (htmx 4 swaps 4xx/5xx bodies; htmx 2 does not). */
  readonly noErrorSwap: Attrs;
}

/**
 * One row per major. htmx 2 needs htmx-ext-sse with `hx-ext` and swaps the events that
 * `sse-swap` names; htmx 4's hx-sse swaps unnamed events by itself and warns about the
 * `sse-*` names, so each major gets only its own attributes.
 */
export const HTMX_DIALECTS: Record<HtmxMajor, HtmxDialect> = {
  2: {
    scripts: ['htmx.min.js', 'htmx-ext-sse.js', 'idiomorph.min.js'],
    sse: (url) => [
      ['hx-ext', 'sse'],
      ['sse-connect', url],
      ['sse-swap', 'message'],
      ['sse-close', CLOSE_EVENT],
    ],
    noErrorSwap: [],
  },
  4: {
    scripts: ['htmx4.min.js', 'htmx4-sse.js'],
    sse: (url) => [
      ['hx-sse:connect', url],
      ['hx-sse:close', CLOSE_EVENT],
    ],
    noErrorSwap: [
      ['hx-status:4xx', 'swap:none'],
      ['hx-status:5xx', 'swap:none'],
    ],
  },
};

export function isHtmxMajor(value: unknown): value is HtmxMajor {
  return (HTMX_MAJORS as readonly unknown[]).includes(value);
}
