import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { isValidQueueName } from '../queue/queue-name.js';
import { decodeRoute, MAX_KEEP, routesProblem, type Route } from '../markup/route.js';
import { RT_MODES, type RtMode } from '../markup/rt-modes.js';
import { templateNameProblem } from '../render/template-name.js';
import type { StreamFormat, StreamGrant, UrlSigner } from '../security/url-signer.js';
import { parseCursorId, START_ID } from '../store/stream-id.js';

/** A correctly signed URL past its expiry: the page that holds it must be reloaded. */
export class UrlExpiredException extends ForbiddenException {
  constructor() {
    super('This stream URL has expired: reload the page');
  }
}

/** The query string of a signed stream URL (see RtQueueService.rtUrls). */
export interface SignedQuery {
  tpl?: unknown;
  into?: unknown;
  keep?: unknown;
  route?: unknown;
  mode?: unknown;
  exp?: unknown;
  sig?: unknown;
  format?: unknown;
  after?: unknown;
}

/**
 * Checks a request for a stream in the order that leaks least: shape of every part (400),
 * then the signature and expiry (403). Existence of the queue is the caller's last check.
 * The format is part of the grant: a URL signed for a template cannot be read as JSON, and
 * no header decides it (htmx 4 sends `Accept: ..., text/event-stream` on every request).
 */
export function checkSignedRequest(
  queue: unknown,
  query: SignedQuery,
  signer: UrlSigner,
): StreamGrant {
  if (!isValidQueueName(queue)) throw new BadRequestException('Invalid queue name');
  const mode = single(query.mode, 'mode') ?? 'append';
  if (!(RT_MODES as readonly string[]).includes(mode)) {
    throw new BadRequestException(`Invalid mode: use one of ${RT_MODES.join(', ')}`);
  }
  const template = single(query.tpl, 'tpl') ?? '';
  if (template !== '' && templateNameProblem(template))
    throw new BadRequestException('Invalid item template name');
  const format = single(query.format, 'format') ?? (template === '' ? 'json' : 'html');
  if (format !== 'html' && format !== 'json')
    throw new BadRequestException('Invalid format: use html or json');
  if (format === 'html' && template === '')
    throw new BadRequestException('Invalid format: html needs an item template (tpl)');

  const routes = format === 'html' ? parseRoutes(query, template, mode as RtMode) : undefined;

  const exp = single(query.exp, 'exp');
  const sig = single(query.sig, 'sig');
  if (!exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[\w-]{1,100}$/.test(sig)) {
    throw new ForbiddenException('Missing or malformed signature');
  }
  const grant: StreamGrant = {
    queue,
    template,
    mode: mode as RtMode,
    format: format as StreamFormat,
    expires: Number(exp),
    ...(routes ? { routes } : {}),
  };
  const verdict = signer.check(grant, sig);
  if (verdict === 'bad-signature') {
    throw new ForbiddenException(
      format === 'json' && template !== ''
        ? 'Bad signature: this URL is not signed for format=json (rtUrls without itemTemplate signs JSON URLs)'
        : 'Bad signature',
    );
  }
  if (verdict === 'expired') throw new UrlExpiredException();
  return grant;
}

/**
 * A routed view's routes (the default first: the URL's template and mode, into `into`,
 * keeping `keep`), or undefined for a URL without `into`; 400 for one that cannot be.
 */
function parseRoutes(query: SignedQuery, template: string, mode: RtMode): Route[] | undefined {
  const into = single(query.into, 'into');
  const keep = single(query.keep, 'keep');
  const byType = query.route === undefined ? [] : [query.route].flat();
  if (into === undefined) {
    if (keep !== undefined || byType.length > 0)
      throw new BadRequestException('Invalid into: routes and keep need the default target');
    return undefined;
  }
  const routes: Route[] = [{ type: '', template, mode, target: into, keep: Number(keep ?? 0) }];
  if (keep !== undefined && !/^\d{1,6}$/.test(keep))
    throw new BadRequestException(`Invalid keep: an integer from 0 to ${MAX_KEEP}`);
  for (const part of byType) {
    const route = typeof part === 'string' ? decodeRoute(part) : undefined;
    if (!route)
      throw new BadRequestException('Invalid route: expected type|template|mode|target|keep');
    routes.push(route);
  }
  const problem = routesProblem(routes);
  if (problem) throw new BadRequestException(`Invalid routes: ${problem}`);
  return routes;
}

/** The resume cursor: Last-Event-ID wins over `after`; absent means from the start. */
export function parseCursor(lastEventId: unknown, after: unknown): string {
  const raw = single(lastEventId, 'Last-Event-ID') ?? single(after, 'after');
  if (raw === undefined || raw === '') return START_ID;
  const id = parseCursorId(raw);
  if (!id)
    throw new BadRequestException(
      'Invalid cursor: expected a stream id like 1700000000000-0, not from the future',
    );
  return id;
}

/** A query or header value given once, or undefined; repeated values are refused. */
export function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestException(`Invalid ${name}: give it once`);
  return value;
}
