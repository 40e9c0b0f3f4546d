import type { RtMode } from '../pluto-rt.constants.js';
import { element } from './html.js';
import { HTMX_DIALECTS, type HtmxMajor } from './htmx-dialect.js';
import { SWAP_BY_MODE } from './swap-mode.js';

/** One queue's stream element: where it connects, and where and how its items go. */
export interface SseElementSpec {
  /** Its id, also sent as `el` in `url` so that a refusal can say why in its place. */
  id: string;
  url: string;
  /** CSS selector of the items' container, or `this`. */
  target: string;
  mode: RtMode;
}

/**
 * Opens the stream and swaps each item into the target. hx-target and hx-swap sit on the
 * element itself: htmx 4 does not inherit them.
 */
export function sseElement(major: HtmxMajor, spec: SseElementSpec): string {
  const dialect = HTMX_DIALECTS[major];
  return element('div', [
    ['id', spec.id],
    ['class', 'pluto-rt-sse'],
    ...dialect.sse(spec.url),
    ['hx-target', spec.target],
    ['hx-swap', SWAP_BY_MODE[spec.mode]],
    ...dialect.noErrorSwap,
  ]);
}
