import { routesProblem, type Route } from '../markup/route.js';
import { RT_MODES, type RtMode } from '../markup/rt-modes.js';
import { RtError } from '../errors.js';
import { MAX_URL_TTL_SECONDS } from '../options/defaults.js';
import { assertQueueName } from '../queue/queue-name.js';
import { groupProblem, signGroup, type GroupGrant, type GroupMember } from './group-grant.js';
import { cancelUrl, signCancel, type CancelGrant } from './cancel-grant.js';
import { groupUrl, streamUrl } from './stream-urls.js';
import type { StreamGrant, UrlSigner } from './url-signer.js';

export interface RtUrlOptions {
  /**
   * Item template that renders each item, e.g. `pluto_rt/list_item`. Without one, the URLs
   * deliver raw JSON items (and a URL with one cannot be read as JSON).
   */
  itemTemplate?: string;
  /** @default 'append' */
  mode?: RtMode;
  /**
   * Where the items go (a simple selector, e.g. `#rows`): given, or with `keep` or
   * `routes`, the stream places each item itself (its element swaps nothing).
   * @default the page's element's own target
   */
  target?: string;
  /** Items kept in `target` at most, the oldest removed first (0: all). @default 0 */
  keep?: number;
  /** Items of these types go elsewhere, rendered by their own template (needs `target`). */
  routes?: RtRouteOptions[];
  /** Lifetime of the signature. @default the `urlTtlSeconds` option */
  ttlSeconds?: number;
}

/** Where the items whose `type` is `type` go (see RtUrlOptions.routes). */
export interface RtRouteOptions {
  type: string;
  itemTemplate: string;
  target: string;
  /** @default 'append' */
  mode?: RtMode;
  /** @default 0 (all) */
  keep?: number;
}

/** Signed URLs of a job's queue (see jobUrls), and the POST URL that cancels the job. */
export interface RtJobUrls extends RtUrls {
  cancel: string;
}

/** Signed URLs of one queue; both carry the same signature. */
export interface RtUrls {
  /** For an `EventSource` or the SSE partial: rendered items, or raw JSON without a template. */
  sse: string;
  /** For htmx polling (the polling partial adds its placement), or `fetch()` for JSON. */
  poll: string;
  grant: StreamGrant;
  signature: string;
}

/** One queue of a group (see `rtGroupUrls`). */
export interface RtGroupMember {
  queue: string;
  /** Its item template; give one to every queue (HTML) or to none (JSON). */
  itemTemplate?: string;
  /** @default 'append' */
  mode?: RtMode;
  /** CSS selector of the queue's container, e.g. `#import`: required in an HTML group. */
  target?: string;
  /** Items kept in `target` at most (0: all). @default 0 */
  keep?: number;
  /** Its items of these types go elsewhere (see RtUrlOptions.routes). */
  routes?: RtRouteOptions[];
}

/** Signed URLs of a group; both carry the same signature. */
export interface RtGroupUrls {
  /** One SSE connection for every queue of the group (the group partial's element). */
  sse: string;
  /** One poller for every queue of the group, or `fetch()` for JSON. */
  poll: string;
  grant: GroupGrant;
  signature: string;
}

/** A route by type as the module keeps it (checked with the others: routesProblem). */
function routeOf(route: RtRouteOptions): Route {
  const { type, itemTemplate, target, mode = 'append', keep = 0 } = route;
  return { type, template: itemTemplate, mode, target, keep };
}

/**
 * Validates and signs the URLs `rtUrls` and `rtGroupUrls` hand out. One implementation for
 * the module and for `nestjs-pluto-rt/testing`, so that a URL signed by either verifies
 * against the other with the same secret, and bad input fails with the same errors.
 */
export class RtUrlFactory {
  constructor(
    private readonly signer: UrlSigner,
    /** Throws RtTemplateError for a template that may not be used. */
    private readonly assertTemplate: (name: string) => void,
    private readonly routePrefix: string,
    private readonly defaultTtlSeconds: number,
  ) {}

  queueUrls(name: string, options: RtUrlOptions = {}): RtUrls {
    assertQueueName(name);
    const mode = options.mode ?? 'append';
    if (!(RT_MODES as readonly string[]).includes(mode)) {
      throw new RtError(`Invalid mode ${JSON.stringify(mode)}: use one of ${RT_MODES.join(', ')}`);
    }
    const template = options.itemTemplate ?? '';
    if (template !== '') this.assertTemplate(template);
    const routes = this.routesOf(options, template, mode);
    const grant: StreamGrant = {
      queue: name,
      template,
      mode,
      format: template === '' ? 'json' : 'html',
      expires: this.expiry(options.ttlSeconds),
      ...(routes ? { routes } : {}),
    };
    const signature = this.signer.sign(grant);
    return {
      sse: streamUrl(this.routePrefix, 'sse', grant, signature),
      poll: streamUrl(this.routePrefix, 'poll', grant, signature),
      grant,
      signature,
    };
  }

  groupUrls(members: RtGroupMember[], options: { ttlSeconds?: number } = {}): RtGroupUrls {
    if (!Array.isArray(members)) throw new RtError('rtGroupUrls takes an array of queues');
    const resolved: GroupMember[] = members.map((member) => {
      assertQueueName(member.queue);
      const template = member.itemTemplate ?? '';
      if (template !== '') this.assertTemplate(template);
      const routes = (member.routes ?? []).map(routeOf);
      for (const route of routes) this.assertTemplate(route.template);
      return {
        queue: member.queue,
        template,
        mode: member.mode ?? 'append',
        target: member.target ?? '',
        keep: member.keep ?? 0,
        routes,
      };
    });
    const verdict = groupProblem(resolved);
    if ('problem' in verdict) throw new RtError(`Invalid group: ${verdict.problem}`);
    const grant: GroupGrant = {
      members: resolved,
      format: verdict.format,
      expires: this.expiry(options.ttlSeconds),
    };
    const signature = signGroup(this.signer, grant);
    return {
      sse: groupUrl(this.routePrefix, 'sse', grant, signature),
      poll: groupUrl(this.routePrefix, 'poll', grant, signature),
      grant,
      signature,
    };
  }

  /** The signed POST URL that cancels job `id` of BullMQ queue `job`, whose queue is `name`. */
  cancelUrl(name: string, job: string, id: string, ttlSeconds?: number): string {
    const grant: CancelGrant = { queue: name, job, id, expires: this.expiry(ttlSeconds) };
    return cancelUrl(this.routePrefix, grant, signCancel(this.signer, grant));
  }

  /** The signed POST URL that cancels the work on queue `name` (its handles' signal). */
  queueCancelUrl(name: string, ttlSeconds?: number): string {
    const grant: CancelGrant = { queue: name, expires: this.expiry(ttlSeconds) };
    return cancelUrl(this.routePrefix, grant, signCancel(this.signer, grant));
  }

  /** The routed view `options` ask for, checked, or undefined for the page's element to place items. */
  private routesOf(options: RtUrlOptions, template: string, mode: RtMode): Route[] | undefined {
    const { target, keep = 0, routes = [] } = options;
    if (target === undefined && keep === 0 && routes.length === 0) return undefined;
    if (template === '') throw new RtError('target, keep and routes need an itemTemplate');
    if (target === undefined)
      throw new RtError('keep and routes need a target for the other items');
    if (!Array.isArray(routes))
      throw new RtError('routes is an array of { type, itemTemplate, target }');
    const all: Route[] = [{ type: '', template, mode, target, keep }, ...routes.map(routeOf)];
    const problem = routesProblem(all);
    if (problem) throw new RtError(`Invalid routes: ${problem}`);
    for (const route of all.slice(1)) this.assertTemplate(route.template);
    return all;
  }

  /** When a URL signed now with `ttlSeconds` expires (Unix seconds). */
  private expiry(ttlSeconds = this.defaultTtlSeconds): number {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_URL_TTL_SECONDS) {
      throw new RtError(
        `Invalid ttlSeconds ${ttlSeconds}: an integer from 1 to ${MAX_URL_TTL_SECONDS}`,
      );
    }
    return Math.floor(Date.now() / 1000) + ttlSeconds;
  }
}
