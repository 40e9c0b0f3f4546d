import type { RtEntry } from '../store/rt-entry.js';
import type { HtmxMajor } from './htmx-dialect.js';
import { placedPartial } from './item-actions.js';
import { partialSwap } from './partial-swap.js';
import { shownEntries } from './event-slices.js';
import { routeFor, type Route } from './route.js';
import { orderForMode, SWAP_BY_MODE } from './swap-mode.js';

/** How a page shows a queue's items. */
export interface BatchView {
  /**
   * The view's routes, the default first. A default route with target '' is swapped by the
   * page's own element (hx-target and hx-swap on it): its items are the event's main content.
   */
  routes: readonly Route[];
  major: HtmxMajor;
}

/** Renders an item with a template (memoized per entry). */
export type RenderItem = (entry: RtEntry, template: string) => string;

/**
 * The HTML of the items of one batch (one SSE event, one poll answer), as partials applied
 * in push order: consecutive items of one route go as one partial into its target (in its
 * mode's order), and an item the job placed itself goes where it said, between them. A
 * replace route shows only its latest item of the batch, a route that keeps `keep` items
 * only its last `keep` (the page's helper removes the older ones from its target). Items of
 * a default route without a target are the main content, which the page's element swaps
 * (htmx 2 after the partials, htmx 4 before).
 */
export function batchHtml(
  entries: readonly RtEntry[],
  view: BatchView,
  render: RenderItem,
): string {
  const routeOf = (entry: RtEntry) =>
    entry.placement ? undefined : routeFor(view.routes, entry.type);
  const main: RtEntry[] = [];
  const parts: string[] = [];
  let run: { route: Route; items: RtEntry[] } | undefined;
  const endRun = () => {
    if (run) parts.push(runHtml(run.route, run.items, render));
    run = undefined;
  };
  const items = entries.filter((entry) => !entry.isEnd);
  for (const entry of shownEntries(items, view)) {
    const route = routeOf(entry);
    if (!route) {
      endRun();
      parts.push(placedHtml(entry, view, render));
      continue;
    }
    if (route.target === '') main.push(entry);
    else if (run?.route === route) run.items.push(entry);
    else {
      endRun();
      run = { route, items: [entry] };
    }
  }
  endRun();
  const mainRoute = view.routes[0]!;
  const mainHtml = orderForMode(main, mainRoute.mode)
    .map((entry) => render(entry, mainRoute.template))
    .join('');
  return mainHtml + parts.join('');
}

function runHtml(route: Route, items: RtEntry[], render: RenderItem): string {
  const html = orderForMode(items, route.mode)
    .map((entry) => render(entry, route.template))
    .join('');
  return partialSwap(route.target, SWAP_BY_MODE[route.mode], html);
}

/** An item the job placed: rendered by its type's route's template, where it said. */
function placedHtml(entry: RtEntry, view: BatchView, render: RenderItem): string {
  const { target, action } = entry.placement!;
  const html = action === 'remove' ? '' : render(entry, routeFor(view.routes, entry.type).template);
  return placedPartial(target, action, html, view.major);
}
