import { Catch, type ArgumentsHost } from '@nestjs/common';
import { describeException, PlainExceptionFilter } from './plain-exception.filter.js';
import {
  parsePlacement,
  pollerElement,
  type PollerEnd,
  type PollerPlacement,
} from './poll-response.js';
import { UrlExpiredException } from './stream-params.js';

/** htmx 2 stops polling on this status (htmx 4 ignores it: the inert poller stops it). */
export const HTMX_STOP_POLLING = 286;

interface PollRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
}

/**
 * An htmx poller keeps polling after any 4xx (htmx 2 stops only on 286), so a refusal that
 * retrying cannot cure (an expired or refused URL, a gone queue, a guard's no) would make a
 * page poll forever. Such a poller gets 286 and an inert poller that says why, in place of
 * the error. 429 and 5xx are passing: the poller keeps going, and catches up after.
 */
@Catch()
export class PollerStopFilter extends PlainExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const [status] = describeException(exception);
    const request = host.switchToHttp().getRequest<PollRequest>();
    const placement = status >= 400 && status < 500 && status !== 429 && pollerOf(request);
    if (!placement) return super.catch(exception, host);
    const body = pollerElement(placement, 'append', undefined, true, endOf(exception, status));
    this.reply(host, HTMX_STOP_POLLING, 'text/html; charset=utf-8', body);
  }
}

/** The placement of an htmx poller's request, or undefined for any other client. */
function pollerOf(request: PollRequest): PollerPlacement | undefined {
  if (request.headers['hx-request'] !== 'true') return undefined;
  try {
    return parsePlacement(request.query);
  } catch {
    return undefined; // no poller to rebuild: the plain error it is
  }
}

function endOf(exception: unknown, status: number): PollerEnd {
  if (exception instanceof UrlExpiredException) return 'expired';
  return status === 404 ? 'gone' : 'refused';
}
