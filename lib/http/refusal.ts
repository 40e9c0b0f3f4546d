import type { EndReason } from '../markup/notice.js';
import { describeException } from './plain-exception.filter.js';
import { UrlExpiredException } from './stream-params.js';

/** How a page element should take a refused request. */
export interface Refusal {
  status: number;
  /** Retrying can cure it (Redis away, too many streams, a 429): the element keeps going. */
  temporary: boolean;
  /** Why it stops, when retrying cannot cure it. */
  reason: EndReason;
}

export function refusalOf(exception: unknown): Refusal {
  const [status] = describeException(exception);
  const reason: EndReason =
    exception instanceof UrlExpiredException ? 'expired' : status === 404 ? 'gone' : 'refused';
  return { status, temporary: status === 429 || status >= 500, reason };
}
