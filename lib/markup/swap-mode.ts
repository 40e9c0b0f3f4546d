import type { RtMode } from './rt-modes.js';

/** How each mode swaps new items into their target. */
export const SWAP_BY_MODE: Record<RtMode, string> = {
  append: 'beforeend',
  reverse: 'afterbegin',
  replace: 'innerHTML',
};

/** The items of one answer in the order their mode shows them (replace: only the latest). */
export function orderForMode<T>(items: T[], mode: RtMode): T[] {
  if (mode === 'replace') return items.slice(-1);
  if (mode === 'reverse') return [...items].reverse();
  return items;
}
