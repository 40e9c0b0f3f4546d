import { BadRequestException } from '@nestjs/common';
import type { HtmxMajor } from '../markup/htmx-dialect.js';
import { pageMajorOf } from './page-element.js';
import { placementProblem, type PollerPlacement } from '../markup/poller.js';
import { single } from './stream-params.js';

/**
 * The placement params of a poll request. The poller of a group, or of a routed queue (its
 * URL names the default route's target, `into`), has no `target`: its items name theirs.
 */
export interface PlacementQuery {
  el?: unknown;
  target?: unknown;
  every?: unknown;
  hx?: unknown;
  into?: unknown;
}

/**
 * The placement a poll request carries, to rebuild its poller; undefined for a request from
 * code (no `el`: no poller element, only the items); 400 when it cannot be used. `hx` (the
 * page's htmx major, which the partials send) defaults to the module's.
 */
export function parsePlacement(
  query: PlacementQuery,
  kind: 'queue' | 'group',
  defaultHx: HtmxMajor,
): PollerPlacement | undefined {
  const el = single(query.el, 'el');
  const target = single(query.target, 'target');
  const every = single(query.every, 'every');
  const rawHx = single(query.hx, 'hx');
  if (el === undefined) {
    if (target !== undefined || every !== undefined || rawHx !== undefined)
      throw new BadRequestException(
        'Invalid el: a poller element id, which target, every and hx need',
      );
    return undefined;
  }
  const hx = pageMajorOf(rawHx, defaultHx);
  const routed = kind === 'group' || query.into !== undefined;
  if (routed && target !== undefined)
    throw new BadRequestException(
      `Invalid target: ${kind === 'group' ? 'a group names its targets in q' : 'routes name their targets'}`,
    );
  const placement = { el, target: routed ? undefined : (target ?? ''), every: every ?? '1s', hx };
  const problem = placementProblem(placement);
  if (problem) throw new BadRequestException(`Invalid ${problem[0]}: ${problem[1]}`);
  return placement;
}
