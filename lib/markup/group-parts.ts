import type { RtEnd } from '../queue/end-reason.js';
import { endedLine } from './ending.js';
import type { RtMode } from './rt-modes.js';
import { notice } from './notice.js';
import { partialSwap } from './partial-swap.js';
import { SWAP_BY_MODE } from './swap-mode.js';

/** Where a group shows one of its queues. */
export interface MemberPlace {
  target: string;
  mode: RtMode;
}

/** In a queue's target: its results are gone (expired, or never started in time). */
export function memberGone(place: MemberPlace): string {
  return partialSwap(place.target, SWAP_BY_MODE[place.mode], notice('gone'));
}

/** In a queue's target: how it ended, when its ending says something (see endedLine). */
export function memberEnded(place: MemberPlace, end: RtEnd): string {
  return partialSwap(place.target, SWAP_BY_MODE[place.mode], endedLine(end));
}

/**
 * The event of a queue that completed: it moves the group's cursor past the queue (which
 * both majors' helpers must see, so it is an unnamed event) and shows nothing.
 */
export function memberComplete(position: number): string {
  return `<!-- pluto-rt: queue ${position} complete -->`;
}
