import type { RtMode } from '../pluto-rt.constants.js';
import { notice } from './notice.js';
import { partialSwap } from './partial-swap.js';
import { SWAP_BY_MODE } from './swap-mode.js';

/** Where a group shows one of its queues. */
export interface MemberPlace {
  target: string;
  mode: RtMode;
}

/** Rendered items of one queue, swapped into its own target as its mode says. */
export function memberItems(place: MemberPlace, html: string): string {
  return partialSwap(place.target, SWAP_BY_MODE[place.mode], html);
}

/** In a queue's target: its results are gone (expired, or never started in time). */
export function memberGone(place: MemberPlace): string {
  return partialSwap(place.target, SWAP_BY_MODE[place.mode], notice('gone'));
}

/**
 * The event of a queue that completed: it moves the group's cursor past the queue (which
 * both majors' helpers must see, so it is an unnamed event) and shows nothing.
 */
export function memberComplete(position: number): string {
  return `<!-- pluto-rt: queue ${position} complete -->`;
}
