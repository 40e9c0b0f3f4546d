import type { RtMode } from './rt-modes.js';
import type { RtEnd } from '../queue/end-reason.js';
import { endedAttributes, endedLine } from './ending.js';
import { element, type Attrs } from './html.js';
import { HTMX_DIALECTS, type HtmxMajor } from './htmx-dialect.js';
import { keepAttribute } from './keep-attribute.js';
import { notice, type EndReason } from './notice.js';
import type { Route } from './route.js';
import { SCRIPTS_HINT } from './scripts-hint.js';
import { partialSwap } from './partial-swap.js';
import { isElementId, isSimpleSelector } from './selectors.js';
import { SWAP_BY_MODE } from './swap-mode.js';

/** Where a poller sits and how it polls: sent back on every poll to rebuild it. */
export interface PollerPlacement {
  /** Id of the poller element. */
  el: string;
  /** Selector of the items' container; none for a group's poller (its items name theirs). */
  target?: string;
  /** Poll interval, htmx syntax (`500ms`, `1s`). */
  every: string;
  /** The htmx major of the page. */
  hx: HtmxMajor;
}

/**
 * What a poller does next: poll `next`, or stop (and say why, unless it completed); `ending`
 * is how its queue ended, shown as the SSE element shows it.
 */
export interface PollerState {
  next?: string;
  end?: EndReason;
  ending?: RtEnd;
}

/** Why a placement cannot be used, or undefined: shared by the routes and the partials. */
export function placementProblem(
  placement: Pick<PollerPlacement, 'el' | 'target' | 'every'>,
): [field: 'el' | 'target' | 'every', expected: string] | undefined {
  if (!isElementId(placement.el)) return ['el', 'an element id'];
  if (placement.target !== undefined && !isSimpleSelector(placement.target))
    return ['target', 'a simple CSS selector like #results'];
  if (!/^\d{1,6}(ms|s|m)$/.test(placement.every))
    return ['every', 'an interval like 500ms, 2s or 1m'];
  return undefined;
}

/**
 * The poller a partial writes: it polls on load, then every interval. A routed view's
 * `routes` say what the targets keep (the page's helper trims them).
 */
export function firstPoller(
  placement: PollerPlacement,
  mode: RtMode,
  next: string,
  routes?: readonly Route[],
): string {
  return pollerDiv(placement, mode, { next }, 'load, ', keptBy(routes), SCRIPTS_HINT);
}

function keptBy(routes: readonly Route[] | undefined): Attrs {
  const keep = routes && keepAttribute(routes);
  return keep ? [keep] : [];
}

/**
 * How an answer replaces the poller, with its next URL or inert (which stops htmx 4, that
 * ignores status 286, as surely as 286 stops htmx 2). A single queue's poller comes back
 * out of band beside the items, which the answer main-swaps. A group's comes last, as a
 * partial: htmx 2 runs out-of-band swaps before partials, and the items' partials would
 * lose the element they are resolved from.
 */
export function pollerReplacement(
  placement: PollerPlacement,
  mode: RtMode,
  state: PollerState,
  routes?: readonly Route[],
): string {
  const kept = keptBy(routes);
  if (placement.target === undefined)
    return partialSwap(
      `#${placement.el}`,
      'outerHTML',
      pollerDiv(placement, mode, state, '', kept),
    );
  return pollerDiv(placement, mode, state, '', [['hx-swap-oob', 'true'], ...kept]);
}

function pollerDiv(
  placement: PollerPlacement,
  mode: RtMode,
  state: PollerState,
  firstTrigger: string,
  extra: Attrs,
  inner = '',
): string {
  const attrs: Array<readonly [string, string]> = [
    ['id', placement.el],
    ['class', 'pluto-rt-poller'],
    ...extra,
  ];
  if (state.next) {
    attrs.push(
      ['hx-get', state.next],
      ['hx-trigger', `${firstTrigger}every ${placement.every}`],
      // A tick while a poll is out is dropped. By default htmx 4 queues it and sends it when
      // the poll returns, even from the poller that answer replaced: from the old cursor,
      // into the same target, its items would show twice.
      ['hx-sync', 'this:drop'],
      ...(placement.target === undefined
        ? [['hx-swap', 'none'] as const]
        : [['hx-target', placement.target] as const, ['hx-swap', SWAP_BY_MODE[mode]] as const]),
      ...HTMX_DIALECTS[placement.hx].noErrorSwap,
    );
  }
  if (state.ending) attrs.push(...endedAttributes(state.ending));
  const told = state.ending ? endedLine(state.ending) : '';
  return element('div', attrs, state.end ? notice(state.end) : told || inner);
}
