import { element } from './html.js';
import type { Route } from './route.js';
import { SCRIPTS_HINT } from './scripts-hint.js';
import { routedAttributes } from './sse-element.js';
import { HTMX_DIALECTS, type HtmxMajor } from './htmx-dialect.js';

/**
 * The one stream element of a group. Its events carry their own targets (`<hx-partial>`),
 * so it swaps nothing into itself (`hx-swap="none"`; without it htmx 2 would empty it);
 * `routes` are every queue's, for what they keep.
 */
export function groupSseElement(
  major: HtmxMajor,
  spec: { id: string; url: string; routes: readonly Route[] },
): string {
  const dialect = HTMX_DIALECTS[major];
  return element(
    'div',
    [
      ['id', spec.id],
      ['class', 'pluto-rt-sse pluto-rt-group'],
      ...dialect.sse(spec.url),
      ...routedAttributes(spec.routes),
      ...dialect.noErrorSwap,
    ],
    SCRIPTS_HINT,
  );
}
