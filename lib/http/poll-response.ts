import { BadRequestException } from '@nestjs/common';
import type { RtMode } from '../pluto-rt.constants.js';
import { single } from './stream-params.js';
import type { RtEntry } from '../store/rt-entry.js';

/** Where the page shows a polled queue: sent back on every poll to rebuild the poller. */
export interface PollerPlacement {
  /** Id of the poller element. */
  el: string;
  /** CSS selector of the element that receives the items. */
  target: string;
  /** Poll interval, htmx syntax (`500ms`, `1s`). */
  every: string;
}

/** Why a poller placement cannot be used, or undefined: shared by the route and the partial. */
export function placementProblem(
  placement: PollerPlacement,
): [field: keyof PollerPlacement, expected: string] | undefined {
  if (!/^[A-Za-z][\w-]{0,99}$/.test(placement.el)) return ['el', 'an element id'];
  if (!/^[#.]?[A-Za-z][\w-]{0,99}$/.test(placement.target))
    return ['target', 'a simple CSS selector like #results'];
  if (!/^\d{1,6}(ms|s|m)$/.test(placement.every))
    return ['every', 'an interval like 500ms, 2s or 1m'];
  return undefined;
}

/** The placement a poll request carries (el, target, every); 400 when it cannot be used. */
export function parsePlacement(query: {
  el?: unknown;
  target?: unknown;
  every?: unknown;
}): PollerPlacement {
  const el = single(query.el, 'el') ?? '';
  const target = single(query.target, 'target') ?? '';
  const every = single(query.every, 'every') ?? '1s';
  const problem = placementProblem({ el, target, every });
  if (problem) throw new BadRequestException(`Invalid ${problem[0]}: ${problem[1]}`);
  return { el, target, every };
}

/** Why a poller stopped for good, shown in its place. */
export type PollerEnd = 'expired' | 'gone' | 'refused';

const END_NOTICES: Record<PollerEnd, string> = {
  expired: 'This live view has expired: reload the page to follow it again.',
  gone: 'These live results are no longer available.',
  refused: 'This live view cannot be shown: reload the page to try again.',
};

/** How each mode swaps a batch into the target. */
export const SWAP_BY_MODE: Record<RtMode, string> = {
  append: 'beforeend',
  reverse: 'afterbegin',
  replace: 'innerHTML',
};

/** The items of a batch in the order the mode shows them. */
export function orderForMode<T>(items: T[], mode: RtMode): T[] {
  if (mode === 'replace') return items.slice(-1);
  if (mode === 'reverse') return [...items].reverse();
  return items;
}

/**
 * The poller element: with a next URL it polls on (`every`); without one it is inert, which
 * stops htmx 4 (that ignores status 286) as surely as 286 stops htmx 2. Both read hx-target
 * and hx-swap from the element itself (htmx 4 does not inherit them). A poller that ended
 * for another reason than completion says why, in its own place on the page.
 */
export function pollerElement(
  placement: PollerPlacement,
  mode: RtMode,
  nextUrl: string | undefined,
  oob: boolean,
  end?: PollerEnd,
): string {
  const attrs = [
    `id="${escapeAttr(placement.el)}"`,
    'class="pluto-rt-poller"',
    oob ? 'hx-swap-oob="true"' : '',
  ];
  if (nextUrl) {
    attrs.push(
      `hx-get="${escapeAttr(nextUrl)}"`,
      `hx-trigger="${oob ? '' : 'load, '}every ${escapeAttr(placement.every)}"`,
      `hx-target="${escapeAttr(placement.target)}"`,
      `hx-swap="${SWAP_BY_MODE[mode]}"`,
      // htmx 4 swaps error pages into the target by default; a stream should not.
      'hx-status:4xx="swap:none" hx-status:5xx="swap:none"',
    );
  }
  const notice = end
    ? `<p class="pluto-rt-notice" role="status" data-reason="${end}">${END_NOTICES[end]}</p>`
    : '';
  return `<div ${attrs.filter(Boolean).join(' ')}>${notice}</div>`;
}

/** The cursor a client continues from after `entries`. */
export function lastId(entries: RtEntry[], fallback: string): string {
  return entries.length > 0 ? entries[entries.length - 1]!.id : fallback;
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&#39;',
};

export function escapeAttr(value: string): string {
  return value.replace(/[&"<>']/g, (char) => ATTR_ESCAPES[char]!);
}
