import { firstPoller, placementProblem } from '../markup/poller.js';
import { isElementId } from '../markup/selectors.js';
import { scriptTags } from '../markup/script-tags.js';
import { sseElement } from '../markup/sse-element.js';
import type { HtmxMajor } from '../markup/htmx-dialect.js';
import type { RtQueueService } from '../rt-queue.service.js';
import {
  checkParamNames,
  countParam,
  derivedId,
  majorOf,
  modeParam,
  PartialParamError,
  text,
  withQuery,
  type PartialOptions,
} from './partial-params.js';
import { blockRoutes, keepParam, signedForView } from './route-partials.js';

/** The partials' parameters that a poller placement field comes from. */
const PLACEMENT_PARAMS = { el: 'id', target: 'target', every: 'interval' } as const;

/** `{{> pluto_rt/scripts}}`: `htmx=false` leaves htmx out, for a page that loads its own. */
export function scriptsPartial(
  options: PartialOptions,
  routePrefix: string,
  moduleMajor: HtmxMajor,
): string {
  checkParamNames(options, 'pluto_rt/scripts');
  const own = options.hash?.htmx;
  const noHtmx = own === false || own === 'false';
  return scriptTags(routePrefix, noHtmx ? false : majorOf(options, moduleMajor));
}

/**
 * `{{> pluto_rt/sse queue item_template target mode keep id}}`: one queue's stream element.
 * As a block, `{{#> pluto_rt/sse ...}} {{> pluto_rt/route ...}} {{/pluto_rt/sse}}`, items of
 * the types its routes name go to their own targets over the same connection.
 */
export function ssePartial(
  context: unknown,
  options: PartialOptions,
  rt: RtQueueService,
  moduleMajor: HtmxMajor,
  safely: (render: () => string) => string,
): string {
  const block = blockRoutes(context, options);
  return block.markup + safely(() => sseConnection(block, options, rt, moduleMajor));
}

function sseConnection(
  block: ReturnType<typeof blockRoutes>,
  options: PartialOptions,
  rt: RtQueueService,
  moduleMajor: HtmxMajor,
): string {
  const view = checkedView(options, block, 'pluto_rt/sse');
  const { queue, itemTemplate, mode, keep } = view;
  const target = text(options, 'target') ?? 'this';
  const major = majorOf(options, moduleMajor);
  const id =
    text(options, 'id') ??
    derivedId(['sse', queue, target, itemTemplate, mode, String(keep), ...block.ids]);
  if (!isElementId(id)) throw new PartialParamError('id', id, 'an element id');
  const { urls } = signed(rt, view, block, target === 'this' ? `#${id}` : target);
  return sseElement(major, {
    id,
    url: withQuery(urls.sse, { el: id, hx: String(major) }),
    target,
    mode,
    ...(urls.grant.routes ? { routes: urls.grant.routes } : {}),
  });
}

/**
 * `{{> pluto_rt/polling ... interval count}}`: the first poller; each answer replaces it.
 * A block with routes, as for `pluto_rt/sse`.
 */
export function pollingPartial(
  context: unknown,
  options: PartialOptions,
  rt: RtQueueService,
  moduleMajor: HtmxMajor,
  safely: (render: () => string) => string,
): string {
  const block = blockRoutes(context, options);
  return block.markup + safely(() => firstPollerOf(block, options, rt, moduleMajor));
}

function firstPollerOf(
  block: ReturnType<typeof blockRoutes>,
  options: PartialOptions,
  rt: RtQueueService,
  moduleMajor: HtmxMajor,
): string {
  const view = checkedView(options, block, 'pluto_rt/polling');
  const { queue, itemTemplate, mode, keep } = view;
  const target = text(options, 'target');
  if (!target) throw new PartialParamError('target', target, 'a CSS selector such as "#results"');
  const el =
    text(options, 'id') ??
    derivedId([queue, target, itemTemplate, mode, String(keep), ...block.ids]);
  const placement = {
    el,
    target,
    every: text(options, 'interval') ?? '1s',
    hx: majorOf(options, moduleMajor),
  };
  // Fail the render, not every poll: a refused placement would leave a silent, empty page.
  const problem = placementProblem(placement);
  if (problem) {
    const [field, expected] = problem;
    throw new PartialParamError(PLACEMENT_PARAMS[field], placement[field], expected);
  }
  const { urls, routed } = signed(rt, view, block, target);
  const count = countParam(options);
  // A routed poller's items name their targets (the URL's `into` and routes): it has none.
  const url = withQuery(urls.poll, {
    el,
    ...(routed ? {} : { target }),
    every: placement.every,
    hx: String(placement.hx),
    ...(count === undefined ? {} : { count: String(count) }),
  });
  const shown = routed ? { ...placement, target: undefined } : placement;
  return firstPoller(shown, mode, url, urls.grant.routes);
}

/**
 * What both stream partials read of the view (the queue, its template, mode and keep), once
 * `partial`'s parameter names and the block's routes are checked.
 */
function checkedView(
  options: PartialOptions,
  block: ReturnType<typeof blockRoutes>,
  partial: 'pluto_rt/sse' | 'pluto_rt/polling',
) {
  checkParamNames(options, partial);
  block.assertUsable();
  return {
    queue: text(options, 'queue') ?? '',
    itemTemplate: text(options, 'item_template') ?? '',
    mode: modeParam(options),
    keep: keepParam(options),
  };
}

/**
 * The view's signed URLs: routed (items placed by the URL's target, keep and routes) when
 * it keeps a bounded list or has routes, else the plain view the page's element places.
 */
function signed(
  rt: RtQueueService,
  { queue, itemTemplate, mode, keep }: ReturnType<typeof checkedView>,
  block: ReturnType<typeof blockRoutes>,
  target: string,
) {
  const routed = keep > 0 || block.routes.length > 0;
  const urls = routed
    ? signedForView(() =>
        rt.rtUrls(queue, { itemTemplate, mode, target, keep, routes: block.routes }),
      )
    : rt.rtUrls(queue, { itemTemplate, mode });
  return { urls, routed };
}
