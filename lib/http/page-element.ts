import { BadRequestException } from '@nestjs/common';
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
