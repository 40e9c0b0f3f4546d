import type { Route } from './route.js';

/**
 * What the page's helper (pluto-rt.js) keeps in each target of the routes that keep
 * `keep` items: `[[target, keep, mode], ...]`, as the element's `data-pluto-rt-keep`. The
 * helper removes the oldest children beyond it as items arrive (the first ones, or the last
 * in reverse mode), however they arrived. Undefined when no route keeps a number.
 */
export function keepAttribute(routes: readonly Route[]): readonly [string, string] | undefined {
  const kept = routes.filter((route) => route.keep > 0).map((r) => [r.target, r.keep, r.mode]);
  return kept.length === 0 ? undefined : ['data-pluto-rt-keep', JSON.stringify(kept)];
}
