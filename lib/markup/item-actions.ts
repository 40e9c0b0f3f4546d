import type { RtAction } from '../queue/item-placement.js';
import type { HtmxMajor } from './htmx-dialect.js';
import { partialSwap } from './partial-swap.js';

/** The swap that does each action at its target (htmx's names). */
const SWAP_BY_ACTION: Record<Exclude<RtAction, 'morph'>, string> = {
  append: 'beforeend',
  prepend: 'afterbegin',
  replace: 'outerHTML',
  update: 'innerHTML',
  remove: 'delete',
  before: 'beforebegin',
  after: 'afterend',
};

/**
 * Marks an htmx 2 partial whose content morphs its target: htmx 2 has no morph of its own,
 * and its partials swap only in the styles it knows, so the module's helper (pluto-rt.js)
 * morphs such a partial with Idiomorph, which the scripts partial loads for htmx 2.
 */
export const MORPH_MARK = '<template data-pluto-rt-morph></template>';

/**
 * Marks an htmx 4 partial whose `#id` target is to be found when it is swapped. htmx 4 finds
 * the targets of all the partials of a message before it swaps the first, so an item placed
 * at an element that an earlier item of the same message adds or replaces would be lost;
 * the module's helper (pluto-rt.js) makes such a partial look its target up at its turn.
 * htmx 2 looks each up at its turn already.
 */
function lookupMark(target: string): string {
  return `<template data-pluto-rt-at="${target}"></template>`;
}

/** `html` placed at `target` as `action` says, in `major`'s markup. */
export function placedPartial(
  target: string,
  action: RtAction,
  html: string,
  major: HtmxMajor,
): string {
  if (major === 4) {
    const content = target.startsWith('#') ? lookupMark(target) + html : html;
    const swap =
      action === 'remove' ? 'delete' : action === 'morph' ? 'outerMorph' : SWAP_BY_ACTION[action];
    return partialSwap(target, swap, content);
  }
  if (action === 'remove') return partialSwap(target, 'delete', '');
  if (action !== 'morph') return partialSwap(target, SWAP_BY_ACTION[action], html);
  return partialSwap(target, 'outerHTML', MORPH_MARK + html);
}
