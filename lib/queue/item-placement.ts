import { RtPlacementError } from '../errors.js';
import { isSimpleSelector } from '../markup/selectors.js';

/** What an item placed by the job does at its target (Turbo Streams' actions). */
export const RT_ACTIONS = [
  'append',
  'prepend',
  'replace',
  'update',
  'remove',
  'before',
  'after',
  'morph',
] as const;
export type RtAction = (typeof RT_ACTIONS)[number];

/**
 * Where the job sends one item in the page, overriding the stream's routes: `target`, a
 * selector chosen by server code (`#id`, `.class` or a tag: e.g. the row of one file in an
 * import table), and what to do there. Pages never choose it.
 */
export interface RtPlacement {
  target: string;
  action: RtAction;
}

/** Refuses a placement that is not one (RtPlacementError names what is wrong). */
export function checkPlacement(placement: unknown): RtPlacement {
  const p = placement as Partial<RtPlacement> | null;
  if (typeof p !== 'object' || p === null)
    throw new RtPlacementError('a placement is { target, action }');
  if (typeof p.target !== 'string' || !isSimpleSelector(p.target))
    throw new RtPlacementError(
      `target ${JSON.stringify(p.target)}: a simple selector such as #row-3`,
    );
  if (!(RT_ACTIONS as readonly unknown[]).includes(p.action))
    throw new RtPlacementError(
      `action ${JSON.stringify(p.action)}: one of ${RT_ACTIONS.join(', ')}`,
    );
  return { target: p.target, action: p.action! };
}

/**
 * A placed item as its stream entry stores it: `@<action> <target> <json>`. JSON text never
 * starts with `@`, so an unplaced item is stored as it is, and readers tell them apart.
 */
export function storePlaced(json: string, placement: RtPlacement): string {
  return `@${placement.action} ${placement.target} ${json}`;
}

/** A stored item: its JSON, and its placement if it has one. */
export function readStored(stored: string): { json: string; placement?: RtPlacement } {
  if (stored.charCodeAt(0) !== 64 /* @ */) return { json: stored };
  const space = stored.indexOf(' ');
  const next = stored.indexOf(' ', space + 1);
  const placement = {
    action: stored.slice(1, space) as RtAction,
    target: stored.slice(space + 1, next),
  };
  return { json: stored.slice(next + 1), placement };
}
