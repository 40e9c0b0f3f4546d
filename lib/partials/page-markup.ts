import { createHash } from 'node:crypto';
import type { RtMode } from '../pluto-rt.constants.js';
import { clientAssets } from '../http/client-assets.js';
import {
  escapeAttr,
  placementProblem,
  pollerElement,
  SWAP_BY_MODE,
} from '../http/poll-response.js';
import type { RtUrls } from '../rt-queue.service.js';

/** What a view passes to `{{> pluto_rt/sse}}` or `{{> pluto_rt/polling}}` (Pluto-RT's names). */
export interface PartialParams {
  queue: string;
  item_template: string;
  /** CSS selector of the element that receives the items; the SSE element itself if omitted. */
  target?: string;
  mode?: RtMode;
  /** Polling only: the interval, `500ms` or `2s`. @default '1s' */
  interval?: string;
  /** Polling only: items per request. */
  count?: number;
  /** Id of the element the partial writes; derived from the other parameters if omitted. */
  id?: string;
}

/** `<script>` tags for htmx 2 and its SSE extension, from the module's asset route. */
export function scriptTags(routePrefix: string): string {
  return [...clientAssets()]
    .map(
      ([name, asset]) =>
        `<script src="/${routePrefix}/assets/${name}?v=${asset.version}"></script>`,
    )
    .join('\n');
}

/**
 * An element that opens the stream and swaps each item into the target: `sse-*` attributes
 * for htmx 2 with htmx-ext-sse (htmx 4's hx-sse extension reads the same names), hx-target
 * and hx-swap on the element itself as htmx 4 does not inherit them.
 */
export function sseElement(params: PartialParams, urls: RtUrls): string {
  const mode = urls.grant.mode;
  const attrs = [
    params.id ? `id="${escapeAttr(params.id)}"` : '',
    'class="pluto-rt-sse"',
    'hx-ext="sse"',
    `sse-connect="${escapeAttr(urls.sse)}"`,
    'sse-swap="message"',
    'sse-close="close"',
    `hx-target="${escapeAttr(params.target ?? 'this')}"`,
    `hx-swap="${SWAP_BY_MODE[mode]}"`,
  ];
  return `<div ${attrs.filter(Boolean).join(' ')}></div>`;
}

/** A parameter of a partial that cannot be used, named as the view wrote it. */
export class PartialParamError extends Error {
  constructor(
    readonly param: string,
    value: unknown,
    expected: string,
  ) {
    super(`parameter ${param} ${JSON.stringify(value)}: expected ${expected}`);
  }
}

/** The partial's parameters that a poller placement field comes from. */
const PLACEMENT_PARAMS = { el: 'id', target: 'target', every: 'interval' } as const;

/** The first poller element; each response replaces it with one that carries the new cursor. */
export function pollingElement(params: PartialParams, urls: RtUrls): string {
  if (!params.target)
    throw new PartialParamError('target', params.target, 'a CSS selector such as "#results"');
  const el =
    params.id ??
    `prt-${digest([params.queue, params.target, params.item_template, urls.grant.mode])}`;
  const placement = { el, target: params.target, every: params.interval ?? '1s' };
  // Fail the render, not every poll: a refused placement would leave a silent, empty page.
  const problem = placementProblem(placement);
  if (problem) {
    const [field, expected] = problem;
    throw new PartialParamError(PLACEMENT_PARAMS[field], placement[field], expected);
  }
  if (
    params.count !== undefined &&
    !(Number.isInteger(params.count) && params.count >= 1 && params.count <= 1000)
  ) {
    throw new PartialParamError('count', params.count, 'an integer from 1 to 1000');
  }
  const extra: Record<string, string> = { ...placement };
  if (params.count !== undefined) extra.count = String(params.count);
  const url = `${urls.poll}&${new URLSearchParams(extra).toString()}`;
  return pollerElement(placement, urls.grant.mode, url, false);
}

/**
 * What a partial writes in place of its element when the view's parameters are wrong: the
 * page still renders (a template author's mistake is no server error) and says what is
 * wrong where the live results would be.
 */
export function partialError(partial: string, message: string): string {
  return `<div class="pluto-rt-error" role="alert">${escapeAttr(`${partial}: ${message}`)}</div>`;
}

function digest(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12);
}
