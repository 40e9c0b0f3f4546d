import { BadRequestException } from '@nestjs/common';
import { isHtmxMajor, type HtmxMajor } from '../markup/htmx-dialect.js';
import { placementProblem, type PollerPlacement } from '../markup/poller.js';
import { single } from './stream-params.js';

/** The placement params of a poll request; a group's poller has no `target`. */
export interface PlacementQuery {
  el?: unknown;
  target?: unknown;
  every?: unknown;
  hx?: unknown;
}

/**
 * The placement a poll request carries, to rebuild its poller; 400 when it cannot be used.
 * `hx` (the page's htmx major, which the partials send) defaults to the module's.
 */
export function parsePlacement(
  query: PlacementQuery,
  kind: 'queue' | 'group',
  defaultHx: HtmxMajor,
): PollerPlacement {
  const el = single(query.el, 'el') ?? '';
  const target = single(query.target, 'target');
  const every = single(query.every, 'every') ?? '1s';
  const rawHx = single(query.hx, 'hx');
  const hx = rawHx === undefined ? defaultHx : Number(rawHx);
  if (!isHtmxMajor(hx) || (rawHx !== undefined && !/^\d$/.test(rawHx)))
    throw new BadRequestException('Invalid hx: the htmx major, 2 or 4');
  if (kind === 'group' && target !== undefined)
    throw new BadRequestException('Invalid target: a group names its targets in q');
  const placement = { el, target: kind === 'group' ? undefined : (target ?? ''), every, hx };
  const problem = placementProblem(placement);
  if (problem) throw new BadRequestException(`Invalid ${problem[0]}: ${problem[1]}`);
  return placement;
}
