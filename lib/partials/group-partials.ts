import { groupSseElement } from '../markup/group-element.js';
import type { HtmxMajor } from '../markup/htmx-dialect.js';
import { firstPoller, placementProblem } from '../markup/poller.js';
import { isElementId, isSimpleSelector } from '../markup/selectors.js';
import { MAX_GROUP_QUEUES, memberRoutes } from '../security/group-grant.js';
import type { RtGroupMember, RtQueueService } from '../rt-queue.service.js';
import {
  checkParamNames,
  countParam,
  derivedId,
  majorOf,
  modeParam,
  ownBlock,
  PartialParamError,
  PartialUsageError,
  text,
  withQuery,
  type PartialOptions,
} from './partial-params.js';
import { blockRoutes, keepParam, signedForView } from './route-partials.js';

/** The data frame key through which the queues inside a group's block reach it. */
const GROUP_FRAME_KEY = 'plutoRtGroup';

/** What the block of `{{#> pluto_rt/group}}` declared. */
interface GroupCollector {
  members: RtGroupMember[];
  /** A queue inside had a wrong parameter: it said so in its place. */
  broken: boolean;
}

/**
 * `{{#> pluto_rt/group transport="sse|polling" id interval count htmx}} ... {{/pluto_rt/group}}`:
 * renders its block, in which each `{{> pluto_rt/queue}}` (directly or in an `{{#each}}`)
 * declares one queue, then writes one stream element (or poller) for all of them.
 */
export function groupPartial(
  context: unknown,
  options: PartialOptions,
  rt: RtQueueService,
  moduleMajor: HtmxMajor,
  safely: (render: () => string) => string,
): string {
  const collector: GroupCollector = { members: [], broken: false };
  const block = ownBlock(options);
  const data = { ...options.data, [GROUP_FRAME_KEY]: collector };
  const inner = block ? block(context, { data }) : '';
  // The block is the view's own markup (the queues' containers): it stays, and a mistake
  // shows where the connection would be.
  return inner + safely(() => connection(collector, options, rt, moduleMajor));
}

/** The group's one stream element (or poller), for what its block declared. */
function connection(
  collector: GroupCollector,
  options: PartialOptions,
  rt: RtQueueService,
  moduleMajor: HtmxMajor,
): string {
  checkParamNames(options, 'pluto_rt/group');
  const transport = text(options, 'transport') ?? 'sse';
  if (transport !== 'sse' && transport !== 'polling')
    throw new PartialParamError('transport', transport, '"sse" or "polling"');
  const major = majorOf(options, moduleMajor);
  if (collector.broken) {
    throw new PartialUsageError('not connected: a queue of the group has a wrong parameter');
  }
  const { members } = collector;
  if (members.length === 0 || members.length > MAX_GROUP_QUEUES) {
    throw new PartialUsageError(
      `a group has 1 to ${MAX_GROUP_QUEUES} {{> pluto_rt/queue}} in its block, got ${members.length}`,
    );
  }
  const urls = signedForView(() => rt.rtGroupUrls(members));
  const routes = urls.grant.members.flatMap(memberRoutes);
  const id =
    text(options, 'id') ??
    derivedId([
      transport,
      ...members.map((m) => `${m.queue} ${m.target} ${m.mode} ${m.keep ?? 0}`),
      ...members.flatMap((m) => (m.routes ?? []).map((r) => `${r.type} ${r.target}`)),
    ]);
  if (transport === 'sse') {
    if (!isElementId(id)) throw new PartialParamError('id', id, 'an element id');
    return groupSseElement(major, {
      id,
      url: withQuery(urls.sse, { el: id, hx: String(major) }),
      routes,
    });
  }
  const placement = { el: id, every: text(options, 'interval') ?? '1s', hx: major };
  const problem = placementProblem(placement);
  if (problem) {
    const param = problem[0] === 'el' ? 'id' : 'interval';
    throw new PartialParamError(param, problem[0] === 'el' ? id : placement.every, problem[1]);
  }
  const count = countParam(options);
  const url = withQuery(urls.poll, {
    el: id,
    every: placement.every,
    hx: String(major),
    ...(count === undefined ? {} : { count: String(count) }),
  });
  return firstPoller(placement, 'append', url, routes);
}

/**
 * `{{> pluto_rt/queue queue item_template target mode keep}}`, inside a group's block:
 * declares one queue of the group and writes nothing (as a block, its routes by type,
 * `{{#> pluto_rt/queue ...}} {{> pluto_rt/route ...}} {{/pluto_rt/queue}}`).
 */
export function queuePartial(
  context: unknown,
  options: PartialOptions,
  checkQueue: (queue: string, itemTemplate: string) => void,
): string {
  const collector = options.data?.[GROUP_FRAME_KEY] as GroupCollector | undefined;
  if (!collector) throw new PartialUsageError('it belongs inside {{#> pluto_rt/group}}');
  try {
    checkParamNames(options, 'pluto_rt/queue');
    const block = blockRoutes(context, options);
    block.assertUsable();
    const queue = text(options, 'queue') ?? '';
    const itemTemplate = text(options, 'item_template') ?? '';
    checkQueue(queue, itemTemplate);
    const target = text(options, 'target') ?? '';
    if (!isSimpleSelector(target))
      throw new PartialParamError('target', target, 'a simple CSS selector such as "#results"');
    collector.members.push({
      queue,
      itemTemplate,
      mode: modeParam(options),
      target,
      keep: keepParam(options),
      routes: block.routes,
    });
    return block.markup;
  } catch (err) {
    collector.broken = true;
    throw err;
  }
}
