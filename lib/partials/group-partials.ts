import { groupSseElement } from '../markup/group-element.js';
import type { HtmxMajor } from '../markup/htmx-dialect.js';
import { firstPoller, placementProblem } from '../markup/poller.js';
import { isElementId, isSimpleSelector } from '../markup/selectors.js';
import { MAX_GROUP_QUEUES } from '../security/group-grant.js';
import type { RtGroupMember, RtQueueService } from '../rt-queue.service.js';
import {
  countParam,
  derivedId,
  majorOf,
  modeParam,
  PartialParamError,
  PartialUsageError,
  text,
  withQuery,
  type PartialOptions,
} from './partial-params.js';

/** The data frame key through which the queues inside a group's block reach it. */
const GROUP_FRAME_KEY = 'plutoRtGroup';

/** What the block of `{{#> pluto_rt/group}}` declared. */
interface GroupCollector {
  members: RtGroupMember[];
  /** A queue inside had a wrong parameter: it said so in its place. */
  broken: boolean;
}

type Block = (context: unknown, options: { data: Record<string, unknown> }) => string;

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
  const block = options.data?.['partial-block'] as Block | undefined;
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
  const urls = rt.rtGroupUrls(members);
  const id =
    text(options, 'id') ??
    derivedId([transport, ...members.map((m) => `${m.queue} ${m.target} ${m.mode}`)]);
  if (transport === 'sse') {
    if (!isElementId(id)) throw new PartialParamError('id', id, 'an element id');
    return groupSseElement(major, { id, url: withQuery(urls.sse, { el: id }) });
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
  return firstPoller(placement, 'append', url);
}

/**
 * `{{> pluto_rt/queue queue item_template target mode}}`, inside a group's block: declares
 * one queue of the group and writes nothing.
 */
export function queuePartial(
  options: PartialOptions,
  checkQueue: (queue: string, itemTemplate: string) => void,
): string {
  const collector = options.data?.[GROUP_FRAME_KEY] as GroupCollector | undefined;
  if (!collector) throw new PartialUsageError('it belongs inside {{#> pluto_rt/group}}');
  try {
    const queue = text(options, 'queue') ?? '';
    const itemTemplate = text(options, 'item_template') ?? '';
    checkQueue(queue, itemTemplate);
    const target = text(options, 'target') ?? '';
    if (!isSimpleSelector(target))
      throw new PartialParamError('target', target, 'a simple CSS selector such as "#results"');
    collector.members.push({ queue, itemTemplate, mode: modeParam(options), target });
  } catch (err) {
    collector.broken = true;
    throw err;
  }
  return '';
}
