import { RtError, RtQueueNameError, RtTemplateError } from '../errors.js';
import { MAX_KEEP } from '../markup/route.js';
import { isSimpleSelector } from '../markup/selectors.js';
import type { RtRouteOptions } from '../security/rt-url-factory.js';
import {
  checkParamNames,
  modeParam,
  ownBlock,
  PartialParamError,
  PartialUsageError,
  text,
  type PartialOptions,
} from './partial-params.js';

/** The data frame key through which the routes inside a partial's block reach it. */
const ROUTE_FRAME_KEY = 'plutoRtRoutes';

/** What a block declared with `{{> pluto_rt/route}}`. */
interface RouteCollector {
  routes: RtRouteOptions[];
  /** A route inside had a wrong parameter: it said so in its place. */
  broken: boolean;
}

/**
 * Renders the block of `{{#> pluto_rt/sse}}`, `{{#> pluto_rt/polling}}` or `{{#> pluto_rt/queue}}`
 * (none for the plain form), in which each `{{> pluto_rt/route}}` declares where the items of
 * one type go: the block's own markup (which stays, with any route's mistake in its place),
 * the routes it declared, and their parts for a derived element id. `assertUsable` throws if
 * a route of the block was wrong: the stream must then not connect.
 */
export function blockRoutes(
  context: unknown,
  options: PartialOptions,
): { routes: RtRouteOptions[]; markup: string; ids: string[]; assertUsable(): void } {
  const collector: RouteCollector = { routes: [], broken: false };
  const block = ownBlock(options);
  const data = { ...options.data, [ROUTE_FRAME_KEY]: collector };
  const markup = block ? block(context, { data }) : '';
  const ids = collector.routes.map((r) =>
    [r.type, r.itemTemplate, r.target, r.mode, r.keep].join(' '),
  );
  const assertUsable = () => {
    if (collector.broken)
      throw new PartialUsageError('not connected: a route of it has a wrong parameter');
  };
  return { routes: collector.routes, markup, ids, assertUsable };
}

/**
 * What `sign` returns (URLs of a routed view or group). A combination the routes refuse
 * (two routes for one type, a replace route that keeps a number) is the view's mistake: it
 * shows in its place.
 */
export function signedForView<T>(sign: () => T): T {
  try {
    return sign();
  } catch (err) {
    const ownKind = err instanceof RtQueueNameError || err instanceof RtTemplateError;
    if (err instanceof RtError && !ownKind) throw new PartialUsageError(err.message);
    throw err;
  }
}

/** The `keep` parameter: items a list route keeps in the page, 0 (the default) for all. */
export function keepParam(options: PartialOptions): number {
  const raw = options.hash?.keep;
  if (raw === undefined) return 0;
  const keep = Number(raw);
  if (!(Number.isInteger(keep) && keep >= 0 && keep <= MAX_KEEP))
    throw new PartialParamError('keep', raw, `an integer from 0 (all) to ${MAX_KEEP}`);
  return keep;
}

/**
 * `{{> pluto_rt/route type item_template target mode keep}}`, inside the block of a stream,
 * poller or group queue: its items of `type` go to `target`, rendered by `item_template`.
 * Writes nothing.
 */
export function routePartial(
  options: PartialOptions,
  checkTemplate: (itemTemplate: string) => void,
): string {
  const collector = options.data?.[ROUTE_FRAME_KEY] as RouteCollector | undefined;
  if (!collector)
    throw new PartialUsageError(
      'it belongs inside {{#> pluto_rt/sse}}, {{#> pluto_rt/polling}} or {{#> pluto_rt/queue}}',
    );
  try {
    checkParamNames(options, 'pluto_rt/route');
    const type = text(options, 'type') ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(type))
      throw new PartialParamError('type', type, 'an item type of 1-64 of [A-Za-z0-9_-]');
    const itemTemplate = text(options, 'item_template') ?? '';
    checkTemplate(itemTemplate);
    const target = text(options, 'target') ?? '';
    if (!isSimpleSelector(target))
      throw new PartialParamError('target', target, 'a simple CSS selector such as "#bar"');
    collector.routes.push({
      type,
      itemTemplate,
      target,
      mode: modeParam(options),
      keep: keepParam(options),
    });
  } catch (err) {
    collector.broken = true;
    throw err;
  }
  return '';
}
