import { BadRequestException } from '@nestjs/common';
import { isHtmxMajor, type HtmxMajor } from '../markup/htmx-dialect.js';
import { isElementId } from '../markup/selectors.js';
import { single } from './stream-params.js';

/**
 * The id of the page element that opened a stream, which the partials send as `el`; a
 * request without one comes from another client (an EventSource of your own, a program).
 */
export function pageElementOf(query: { el?: unknown }): string | undefined {
  const el = single(query.el, 'el');
  if (el === undefined) return undefined;
  if (!isElementId(el)) throw new BadRequestException('Invalid el: an element id');
  return el;
}

/** The htmx major of the page that sent `hx` (the partials do), or `fallback` (the module's). */
export function pageMajorOf(hx: unknown, fallback: HtmxMajor): HtmxMajor {
  const raw = single(hx, 'hx');
  if (raw === undefined) return fallback;
  const major = Number(raw);
  if (!/^\d$/.test(raw) || !isHtmxMajor(major))
    throw new BadRequestException('Invalid hx: the htmx major, 2 or 4');
  return major;
}
