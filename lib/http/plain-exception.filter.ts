import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { uncachedBody } from './uncached-body.js';
import {
  RtQueueNameError,
  RtQueueNotFoundError,
  RtRedisUnavailableError,
  RtTemplateError,
} from '../errors.js';

/**
 * The module's routes answer errors with a status and one plain line (pages swap what they
 * get; a JSON error object would land in the list). Bad input is 4xx, Redis away is 503.
 */
@Catch()
export class PlainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('PlutoRt');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const [status, message] = describeException(exception);
    if (status === 500) this.logUnexpected(exception);
    this.reply(host, status, 'text/plain; charset=utf-8', message);
  }

  /** A 500 is a bug: its stack goes to the log, never to the client. */
  protected logUnexpected(exception: unknown): void {
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
  }

  protected reply(host: ArgumentsHost, status: number, type: string, body: string): void {
    const response = host.switchToHttp().getResponse();
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) return;
    adapter.setHeader(response, 'Cache-Control', 'no-store');
    adapter.reply(response, uncachedBody(type, body), status);
  }
}

/** The status and the one line that the module's routes answer `exception` with. */
export function describeException(exception: unknown): [number, string] {
  if (exception instanceof HttpException) return [exception.getStatus(), exception.message];
  if (exception instanceof RtTemplateError || exception instanceof RtQueueNameError)
    return [400, exception.message];
  if (exception instanceof RtQueueNotFoundError) return [404, 'No such queue: it may have expired'];
  if (exception instanceof RtRedisUnavailableError)
    return [503, 'Live results are unavailable right now: retry later'];
  return [500, 'Internal server error'];
}
