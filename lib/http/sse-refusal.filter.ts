import { Catch, Inject, type ArgumentsHost } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CLOSE_EVENT } from '../markup/htmx-dialect.js';
import { noticeInto } from '../markup/notice.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import { pageElementOf } from './page-element.js';
import { PlainExceptionFilter } from './plain-exception.filter.js';
import { refusalOf } from './refusal.js';
import { sseText } from './sse-text.js';

/** The SSE event that tells a page element to wait and reconnect: htmx 4 takes `retry:` only with one. */
const RETRY_EVENT = 'retry';

interface SseRequest {
  query: Record<string, unknown>;
}

/**
 * A page's stream element cannot use an error status: htmx 2 opens a new EventSource for
 * ever, htmx 4 swaps the error body on a first connect and never tries again. So a request
 * from one (it names its element, `el`) is answered 200 with an event stream instead:
 *
 * - a refusal that retrying can cure (Redis away, too many streams: 503) sets the reconnect
 *   delay (`retry:`) and ends; both majors reconnect with their cursor and catch up;
 * - any other (expired or refused URL, gone queue, a guard's no) swaps a notice into the
 *   element and closes the stream, so that nothing retries.
 *
 * Every other client gets the status and its one plain line.
 */
@Catch()
export class SseRefusalFilter extends PlainExceptionFilter {
  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
  ) {
    super(adapterHost);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const el = elementOf(host.switchToHttp().getRequest<SseRequest>());
    if (el === undefined) return super.catch(exception, host);
    const refusal = refusalOf(exception);
    if (refusal.status === 500) this.logUnexpected(exception);
    const body = refusal.temporary
      ? sseText([{ event: RETRY_EVENT, retry: this.config.sseRetryMs, data: 'unavailable' }])
      : sseText([
          // An empty id: a notice is no position in the stream (the helper lets it pass).
          { id: '', data: noticeInto(el, refusal.reason) },
          { event: CLOSE_EVENT, data: refusal.reason },
        ]);
    this.reply(host, 200, 'text/event-stream; charset=utf-8', body);
  }
}

function elementOf(request: SseRequest): string | undefined {
  try {
    return pageElementOf(request.query);
  } catch {
    return undefined; // no element to answer: the plain error it is
  }
}
