import type { RtEntry } from '../store/rt-entry.js';
import type { BatchView } from './batch-html.js';
import { routeFor, type Route } from './route.js';

/**
 * Items one SSE event shows at most. A page swaps an event's fragments in one task of its
 * main thread: measured in Chromium (bench scenario `browser`), ~250 list rows took about
 * 100 ms, so a burst goes in events of at most this many shown items.
 */
export const MAX_SHOWN_PER_EVENT = 100;

/** One event's share of a batch: the items it shows, and the last entry it accounts for. */
export interface EventSlice {
  shown: RtEntry[];
  lastId: string;
}

/**
 * The items of `entries` (in push order, no end marker) that a page would see: a replace
 * route's latest, a route that keeps `keep` items its last `keep`, every other item.
 */
export function shownEntries(entries: readonly RtEntry[], view: BatchView): RtEntry[] {
  const routeOf = (entry: RtEntry) =>
    entry.placement ? undefined : routeFor(view.routes, entry.type);
  const toCome = new Map<Route, number>();
  for (const entry of entries) {
    const route = routeOf(entry);
    if (route) toCome.set(route, (toCome.get(route) ?? 0) + 1);
  }
  return entries.filter((entry) => {
    const route = routeOf(entry);
    if (!route) return true;
    const left = toCome.get(route)!;
    toCome.set(route, left - 1);
    return left <= shownAtMost(route);
  });
}

/**
 * `entries` cut into events of at most `max` shown items each, in order. A slice's `lastId`
 * is the last entry it accounts for (items that a later one replaces included), so that an
 * event's id as a resume cursor never passes an item not yet shown.
 */
export function eventSlices(
  entries: readonly RtEntry[],
  view: BatchView,
  max = MAX_SHOWN_PER_EVENT,
): EventSlice[] {
  if (entries.length === 0) return [];
  const shown = shownEntries(entries, view);
  const slices: EventSlice[] = [];
  for (let start = 0; start < shown.length; start += max) {
    const part = shown.slice(start, start + max);
    slices.push({ shown: part, lastId: part[part.length - 1]!.id });
  }
  // What follows the last shown item (nothing is shown of it) belongs to the last event.
  const last = slices[slices.length - 1];
  if (last) last.lastId = entries[entries.length - 1]!.id;
  return slices;
}

function shownAtMost(route: Route): number {
  if (route.mode === 'replace') return 1;
  return route.keep > 0 ? route.keep : Infinity;
}
