import { templateNameProblem } from '../render/template-name.js';
import { RT_MODES, type RtMode } from './rt-modes.js';
import { isSimpleSelector } from './selectors.js';

/** Items a list route keeps in the page at most. */
export const MAX_KEEP = 100_000;
/** Routes by type of one queue's view, at most (a URL of this many stays well under 4 KB). */
export const MAX_ROUTES = 8;

/**
 * Where the items of one kind go in a page: rendered by `template`, into `target`, as `mode`
 * says, at most `keep` of them kept there (0: all). The route of type '' takes every item
 * that no other route's type names: the default route.
 */
export interface Route {
  /** The item `type` it takes; '' for the default route. */
  type: string;
  template: string;
  mode: RtMode;
  /** CSS selector of the container (a simple one: `#id`, `.class` or a tag). */
  target: string;
  keep: number;
}

/** The route of `type` among `routes` (the default one, routes[0], for any other). */
export function routeFor(routes: readonly Route[], type: string | undefined): Route {
  if (type !== undefined) {
    for (let i = 1; i < routes.length; i++) if (routes[i]!.type === type) return routes[i]!;
  }
  return routes[0]!;
}

/** Item types a route may name: like queue names, so that a URL needs no escaping of them. */
const TYPE = /^[A-Za-z0-9_-]{1,64}$/;

/** Why `route` cannot be one, or undefined (a default route has type ''). */
export function routeProblem(route: Route, isDefault: boolean): string | undefined {
  if (isDefault ? route.type !== '' : !TYPE.test(route.type))
    return isDefault ? 'the default route has no type' : 'a type of 1-64 of [A-Za-z0-9_-]';
  const template = templateNameProblem(route.template);
  if (template) return `item template: ${template}`;
  if (!(RT_MODES as readonly string[]).includes(route.mode))
    return `mode: one of ${RT_MODES.join(', ')}`;
  if (!isSimpleSelector(route.target)) return 'target: a simple CSS selector like #results';
  if (!Number.isInteger(route.keep) || route.keep < 0 || route.keep > MAX_KEEP)
    return `keep: an integer from 0 (all) to ${MAX_KEEP}`;
  if (route.keep > 0 && route.mode === 'replace') return 'keep: a replace route keeps one item';
  return undefined;
}

/** Why `routes` (the default first) cannot be a view's, or undefined. */
export function routesProblem(routes: readonly Route[]): string | undefined {
  if (routes.length === 0 || routes.length > MAX_ROUTES + 1)
    return `a view has a default route and up to ${MAX_ROUTES} routes by type`;
  for (const [i, route] of routes.entries()) {
    const problem = routeProblem(route, i === 0);
    if (problem) return i === 0 ? problem : `route ${route.type || i}: ${problem}`;
  }
  const types = routes.map((route) => route.type);
  if (new Set(types).size !== types.length) return 'two routes for one type';
  return undefined;
}

/** A route in a URL: `type|template|mode|target|keep` (no part can hold a `|`). */
export function encodeRoute(route: Route): string {
  return [route.type, route.template, route.mode, route.target, route.keep].join('|');
}

/** The route a URL part names, unchecked (see routeProblem), or undefined if malformed. */
export function decodeRoute(part: string): Route | undefined {
  const fields = part.split('|');
  if (fields.length !== 5 || !/^\d{1,6}$/.test(fields[4]!)) return undefined;
  const [type, template, mode, target, keep] = fields as [string, string, string, string, string];
  return { type, template, mode: mode as RtMode, target, keep: Number(keep) };
}

/** What the signature covers of `routes`: every field, in order. */
export function routeParts(routes: readonly Route[]): string[] {
  return routes.flatMap((r) => [r.type, r.template, r.mode, r.target, String(r.keep)]);
}
