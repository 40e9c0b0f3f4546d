import { createHash } from 'node:crypto';
import { isHtmxMajor, type HtmxMajor } from '../markup/htmx-dialect.js';
import { RT_MODES, type RtMode } from '../pluto-rt.constants.js';

/** What Handlebars hands a function partial: the include's own parameters and the data frame. */
export interface PartialOptions {
  hash?: Record<string, unknown>;
  data?: Record<string, unknown> & { root?: Record<string, unknown> };
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
    super(`parameter ${param} ${JSON.stringify(value)}: expected ${expected}`);
  }
}

/** A partial used where it cannot work (a queue outside a group, a group of none). */
export class PartialUsageError extends Error {}

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
