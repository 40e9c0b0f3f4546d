import type { BatchView } from '../markup/batch-html.js';
import type { HtmxMajor } from '../markup/htmx-dialect.js';
import { encodeRoute, type Route } from '../markup/route.js';
import type { RtMode } from '../markup/rt-modes.js';

/** How one connection shows a queue, and a key that names it for shared events. */
export interface StreamView {
  view: BatchView;
  key: string;
}

/**
 * The view of a queue shown with `routes` on a page of htmx `major`; without routes, its one
 * template and mode, into the target the page's element names itself (target '').
 */
export function streamView(
  grant: { template: string; mode: RtMode; routes?: Route[] },
  major: HtmxMajor,
): StreamView {
  const routes = grant.routes ?? [
    { type: '', template: grant.template, mode: grant.mode, target: '', keep: 0 },
  ];
  return { view: { routes, major }, key: `${major}:${routes.map(encodeRoute).join(',')}` };
}
