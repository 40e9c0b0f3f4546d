import { createHash } from 'node:crypto';
import { isHtmxMajor, type HtmxMajor } from '../markup/htmx-dialect.js';
import { RT_MODES, type RtMode } from '../markup/rt-modes.js';
import { didYouMean } from '../text/nearest-name.js';

/** What Handlebars hands a function partial: the include's own parameters and the data frame. */
export interface PartialOptions {
  hash?: Record<string, unknown>;
  data?: Record<string, unknown> & { root?: Record<string, unknown> };
  /** Set when the partial is called as a block (`{{#> name}} ... {{/name}}`). */
  fn?: unknown;
}

type Block = (context: unknown, options: { data: Record<string, unknown> }) => string;

/**
 * The block of a partial called as one, or undefined. Called plainly, a partial's data
 * frame may still carry the block of an enclosing partial (a layout's): not its own.
 */
export function ownBlock(options: PartialOptions): Block | undefined {
  return options.fn ? (options.data?.['partial-block'] as Block | undefined) : undefined;
}

/** A view context key (e.g. set in `res.locals`) that picks the htmx major for one page. */
const PAGE_HTMX_KEY = 'plutoRtHtmx';

/** A parameter of a partial that cannot be used, named as the view wrote it. */
export class PartialParamError extends Error {
  constructor(
    readonly param: string,
    value: unknown,
    expected: string,
  ) {
    const shown = JSON.stringify(
      typeof value === 'string' && value.length > 100 ? `${value.slice(0, 100)}...` : value,
    );
    super(`parameter ${param} ${shown}: expected ${expected}`);
  }
}

/** A partial used where it cannot work (a queue outside a group, a group of none). */
export class PartialUsageError extends Error {}

/** The parameters each partial reads. */
const PARAMS = {
  'pluto_rt/scripts': ['htmx'],
  'pluto_rt/sse': ['queue', 'item_template', 'target', 'mode', 'keep', 'id', 'htmx'],
  'pluto_rt/polling': [
    ...['queue', 'item_template', 'target', 'mode', 'keep', 'id', 'htmx'],
    ...['interval', 'count'],
  ],
  'pluto_rt/group': ['transport', 'id', 'interval', 'count', 'htmx'],
  'pluto_rt/queue': ['queue', 'item_template', 'target', 'mode', 'keep'],
  'pluto_rt/route': ['type', 'item_template', 'target', 'mode', 'keep'],
  'pluto_rt/cancel': ['job_queue', 'job_id', 'queue', 'label'],
} as const;

export type PartialName = keyof typeof PARAMS;

/**
 * Refuses a parameter that `partial` does not read: ignored, a misspelt one (itemTemplate)
 * would silently fall back to a default (raw JSON in the page).
 */
export function checkParamNames(options: PartialOptions, partial: PartialName): void {
  const known: readonly string[] = PARAMS[partial];
  for (const name of Object.keys(options.hash ?? {})) {
    if (!known.includes(name)) {
      throw new PartialUsageError(
        `parameter ${name} is not one of ${known.join(', ')}${didYouMean(name, known)}`,
      );
    }
  }
}

/** The include's parameter `name` as a string (hbs literals like count=5 arrive as numbers). */
export function text(options: PartialOptions, name: string): string | undefined {
  const value = options.hash?.[name];
  return value === undefined || value === null ? undefined : String(value);
}

export function modeParam(options: PartialOptions): RtMode {
  const mode = text(options, 'mode') ?? 'append';
  if (!(RT_MODES as readonly string[]).includes(mode))
    throw new PartialParamError('mode', mode, `one of ${RT_MODES.join(', ')}`);
  return mode as RtMode;
}

export function countParam(options: PartialOptions): number | undefined {
  const raw = options.hash?.count;
  if (raw === undefined) return undefined;
  const count = Number(raw);
  if (!(Number.isInteger(count) && count >= 1 && count <= 1000))
    throw new PartialParamError('count', raw, 'an integer from 1 to 1000');
  return count;
}

/**
 * The htmx major a partial writes for: the include's `htmx=`, else the page's
 * (`plutoRtHtmx` in the view context, e.g. from `res.locals`), else the module's option.
 */
export function majorOf(options: PartialOptions, moduleMajor: HtmxMajor): HtmxMajor {
  const own = options.hash?.htmx;
  if (own !== undefined) return checkMajor('htmx', own);
  const page = options.data?.root?.[PAGE_HTMX_KEY];
  if (page !== undefined) return checkMajor(PAGE_HTMX_KEY, page);
  return moduleMajor;
}

function checkMajor(param: string, value: unknown): HtmxMajor {
  const major = typeof value === 'string' && /^\d$/.test(value) ? Number(value) : value;
  if (!isHtmxMajor(major)) throw new PartialParamError(param, value, '2 or 4');
  return major;
}

/** A stable element id for parameters that name no id: the same page renders the same ids. */
export function derivedId(parts: string[]): string {
  return `prt-${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12)}`;
}

/** `url` with more query parameters. */
export function withQuery(url: string, extra: Record<string, string>): string {
  return `${url}&${new URLSearchParams(extra).toString()}`;
}
