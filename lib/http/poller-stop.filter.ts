import { Catch, Inject, type ArgumentsHost } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { pollerReplacement, type PollerPlacement } from '../markup/poller.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import { PlainExceptionFilter } from './plain-exception.filter.js';
import { parsePlacement } from './poller-placement.js';
import { refusalOf } from './refusal.js';

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
  /** Whose pollers this filter stops: a queue's, or a group's (which have no target). */
  protected readonly kind: 'queue' | 'group' = 'queue';

  constructor(
    adapterHost: HttpAdapterHost,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
  ) {
    super(adapterHost);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const refusal = refusalOf(exception);
    const request = host.switchToHttp().getRequest<PollRequest>();
    const placement = !refusal.temporary && this.pollerOf(request);
    if (!placement) return super.catch(exception, host);
    const body = pollerReplacement(placement, 'append', { end: refusal.reason });
    this.reply(host, HTMX_STOP_POLLING, 'text/html; charset=utf-8', body);
  }

  /** The placement of an htmx poller's request, or undefined for any other client. */
  private pollerOf(request: PollRequest): PollerPlacement | undefined {
    if (request.headers['hx-request'] !== 'true') return undefined;
    try {
      return parsePlacement(request.query, this.kind, this.config.htmx);
    } catch {
      return undefined; // no poller to rebuild: the plain error it is
    }
  }
}

/** PollerStopFilter for the group poll route. */
@Catch()
export class GroupPollerStopFilter extends PollerStopFilter {
  protected override readonly kind = 'group';
}
