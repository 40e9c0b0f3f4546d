import { firstPoller, placementProblem } from '../markup/poller.js';
import { isElementId } from '../markup/selectors.js';
import { scriptTags } from '../markup/script-tags.js';
import { sseElement } from '../markup/sse-element.js';
import type { HtmxMajor } from '../markup/htmx-dialect.js';
import type { RtQueueService } from '../rt-queue.service.js';
import {
  countParam,
  derivedId,
  majorOf,
  modeParam,
  PartialParamError,
  text,
  withQuery,
  type PartialOptions,
} from './partial-params.js';

/** The partials' parameters that a poller placement field comes from. */
const PLACEMENT_PARAMS = { el: 'id', target: 'target', every: 'interval' } as const;

/** `{{> pluto_rt/scripts}}`: `htmx=false` leaves htmx out, for a page that loads its own. */
export function scriptsPartial(
  options: PartialOptions,
  routePrefix: string,
  moduleMajor: HtmxMajor,
): string {
  const own = options.hash?.htmx;
  const noHtmx = own === false || own === 'false';
  return scriptTags(routePrefix, noHtmx ? false : majorOf(options, moduleMajor));
}

/** `{{> pluto_rt/sse queue item_template target mode id}}`: one queue's stream element. */
export function ssePartial(
  options: PartialOptions,
  rt: RtQueueService,
  moduleMajor: HtmxMajor,
): string {
  const queue = text(options, 'queue') ?? '';
  const itemTemplate = text(options, 'item_template') ?? '';
  const mode = modeParam(options);
  const target = text(options, 'target') ?? 'this';
  const urls = rt.rtUrls(queue, { itemTemplate, mode });
  const id = text(options, 'id') ?? derivedId(['sse', queue, target, itemTemplate, mode]);
  if (!isElementId(id)) throw new PartialParamError('id', id, 'an element id');
  return sseElement(majorOf(options, moduleMajor), {
    id,
    url: withQuery(urls.sse, { el: id }),
    target,
    mode,
  });
}

/** `{{> pluto_rt/polling ... interval count}}`: the first poller; each answer replaces it. */
export function pollingPartial(
  options: PartialOptions,
  rt: RtQueueService,
  moduleMajor: HtmxMajor,
): string {
  const queue = text(options, 'queue') ?? '';
  const itemTemplate = text(options, 'item_template') ?? '';
  const mode = modeParam(options);
  const urls = rt.rtUrls(queue, { itemTemplate, mode });
  const target = text(options, 'target');
  if (!target) throw new PartialParamError('target', target, 'a CSS selector such as "#results"');
  const el = text(options, 'id') ?? derivedId([queue, target, itemTemplate, mode]);
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
  const count = countParam(options);
  const url = withQuery(urls.poll, {
    el,
    target,
    every: placement.every,
    hx: String(placement.hx),
    ...(count === undefined ? {} : { count: String(count) }),
  });
  return firstPoller(placement, mode, url);
}
