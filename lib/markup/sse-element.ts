import type { RtMode } from './rt-modes.js';
import { element, type Attrs } from './html.js';
import { keepAttribute } from './keep-attribute.js';
import type { Route } from './route.js';
import { SCRIPTS_HINT } from './scripts-hint.js';
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
  /** A routed stream's routes: its items come as partials into their own targets. */
  routes?: readonly Route[];
}

/**
 * Opens the stream and swaps each item into the target. hx-target and hx-swap sit on the
 * element itself: htmx 4 does not inherit them.
 */
export function sseElement(major: HtmxMajor, spec: SseElementSpec): string {
  const dialect = HTMX_DIALECTS[major];
  return element(
    'div',
    [
      ['id', spec.id],
      ['class', 'pluto-rt-sse'],
      ...dialect.sse(spec.url),
      ...(spec.routes
        ? routedAttributes(spec.routes)
        : [['hx-target', spec.target] as const, ['hx-swap', SWAP_BY_MODE[spec.mode]] as const]),
      ...dialect.noErrorSwap,
    ],
    SCRIPTS_HINT,
  );
}

/** A routed element swaps nothing itself (its items are partials), and says what it keeps. */
export function routedAttributes(routes: readonly Route[]): Attrs {
  const keep = keepAttribute(routes);
  return [['hx-swap', 'none'], ...(keep ? [keep] : [])];
}
