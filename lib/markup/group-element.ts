import { element } from './html.js';
import { HTMX_DIALECTS, type HtmxMajor } from './htmx-dialect.js';

/**
 * The one stream element of a group. Its events carry their own targets (`<hx-partial>`),
 * so it swaps nothing into itself (`hx-swap="none"`; without it htmx 2 would empty it).
 */
export function groupSseElement(major: HtmxMajor, spec: { id: string; url: string }): string {
  const dialect = HTMX_DIALECTS[major];
  return element('div', [
    ['id', spec.id],
    ['class', 'pluto-rt-sse pluto-rt-group'],
    ...dialect.sse(spec.url),
    ['hx-swap', 'none'],
    ...dialect.noErrorSwap,
  ]);
}
