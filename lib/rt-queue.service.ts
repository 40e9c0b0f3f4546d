import { Inject, Injectable, Optional } from '@nestjs/common';
import { map, mergeMap, type Observable } from 'rxjs';
import {
  PLUTO_RT_CONFIG,
  PLUTO_RT_ROUTE_PREFIX,
  type RtMode,
  RT_MODES,
} from './pluto-rt.constants.js';
import type { PlutoRtConfig } from './options/pluto-rt-config.js';
import { assertQueueName, createQueueName } from './queue/queue-name.js';
import { RtQueue } from './queue/rt-queue.js';
import { StreamHub, type RtHubStats } from './reader/stream-hub.js';
import { TemplateRegistry } from './render/template-registry.js';
import { SseStreamLimit } from './http/sse-stream-limit.js';
import { groupUrl, streamUrl } from './security/stream-urls.js';
import {
  groupProblem,
  signGroup,
  type GroupGrant,
  type GroupMember,
} from './security/group-grant.js';
import { UrlSigner, type StreamGrant } from './security/url-signer.js';
import type { RtMessage } from './store/rt-entry.js';
import { parseStreamId } from './store/stream-id.js';
import { StreamStore } from './store/stream-store.js';
import { RtError } from './errors.js';
import { MAX_URL_TTL_SECONDS } from './options/resolve-options.js';
import { NO_METRICS, PLUTO_RT_METRICS, type RtMetrics } from './metrics/rt-metrics.js';

export interface RtUrlOptions {
  /**
   * Item template that renders each item, e.g. `pluto_rt/list_item`. Without one, the URLs
   * deliver raw JSON items (and a URL with one cannot be read as JSON).
   */
  itemTemplate?: string;
  /** @default 'append' */
  mode?: RtMode;
  /** Lifetime of the signature. @default the `urlTtlSeconds` option */
  ttlSeconds?: number;
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

/** What `stats()` counts; each returns to its baseline when streams close. */
export interface RtStats extends RtHubStats {
  /** Open SSE responses of the module's route (what `maxStreams` caps). */
  sseStreams: number;
}

/** The module's API: make queue names, push onto queues, read them, sign their URLs. */
@Injectable()
export class RtQueueService {
  constructor(
    private readonly store: StreamStore,
    private readonly hub: StreamHub,
    private readonly signer: UrlSigner,
    private readonly templates: TemplateRegistry,
    private readonly sseLimit: SseStreamLimit,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_ROUTE_PREFIX) private readonly routePrefix: string,
    @Optional()
    @Inject(PLUTO_RT_METRICS)
    private readonly metrics: RtMetrics = NO_METRICS,
  ) {}

  /** A fresh, unguessable queue name (128 random bits, URL-safe), e.g. `rtq_Yk3...`. */
  createQueueName(prefix?: string): string {
    return createQueueName(prefix);
  }

  /** A producer handle on queue `name`; throws RtQueueNameError for a malformed name. */
  get(name: string): RtQueue {
    assertQueueName(name);
    return new RtQueue(name, this.store, this.config.maxMessageBytes, this.metrics);
  }

  /**
   * The queue's items after `after` (default: from the start), live, ending after the end
   * marker. Errors with RtQueueNotFoundError if the queue does not exist.
   */
  stream(name: string, options: { after?: string } = {}): Observable<RtMessage> {
    assertQueueName(name);
    // As on the HTTP routes, an empty cursor means from the start.
    const after = options.after === undefined || options.after === '' ? '0' : options.after;
    const cursor = parseStreamId(after);
    if (!cursor) throw new RtError(`Invalid cursor ${JSON.stringify(after)}: expected a stream id`);
    return this.hub.watch(name, cursor).pipe(
      mergeMap((batch) => batch.filter((entry) => !entry.isEnd)),
      map((entry) => ({ id: entry.id, item: entry.item })),
    );
  }

  /**
   * Signed URLs of the module's SSE and polling routes for queue `name`, binding the item
   * template and mode. Throws RtTemplateError for a template that may not be used.
   */
  rtUrls(name: string, options: RtUrlOptions = {}): RtUrls {
    assertQueueName(name);
    const mode = options.mode ?? 'append';
    if (!(RT_MODES as readonly string[]).includes(mode)) {
      throw new RtError(`Invalid mode ${JSON.stringify(mode)}: use one of ${RT_MODES.join(', ')}`);
    }
    const template = options.itemTemplate ?? '';
    if (template !== '') this.templates.assertUsable(template);
    const grant: StreamGrant = {
      queue: name,
      template,
      mode,
      format: template === '' ? 'json' : 'html',
      expires: this.expiry(options.ttlSeconds),
    };
    const signature = this.signer.sign(grant);
    return {
      sse: streamUrl(this.routePrefix, 'sse', grant, signature),
      poll: streamUrl(this.routePrefix, 'poll', grant, signature),
      grant,
      signature,
    };
  }

  /**
   * Signed URLs of the group routes for `members`: one connection (or poller) shows every
   * queue, each with its template and mode in its target, or delivers them all as JSON
   * when no member has a template. The exact set is signed: queues, order, templates,
   * modes, targets. Throws RtError for 0 or more than MAX_GROUP_QUEUES (16) members.
   */
  rtGroupUrls(members: RtGroupMember[], options: { ttlSeconds?: number } = {}): RtGroupUrls {
    if (!Array.isArray(members)) throw new RtError('rtGroupUrls takes an array of queues');
    const resolved: GroupMember[] = members.map((member) => {
      assertQueueName(member.queue);
      const template = member.itemTemplate ?? '';
      if (template !== '') this.templates.assertUsable(template);
      return {
        queue: member.queue,
        template,
        mode: member.mode ?? 'append',
        target: member.target ?? '',
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

  /** Counters for monitoring and leak checks. */
  stats(): RtStats {
    return { ...this.hub.stats(), sseStreams: this.sseLimit.count };
  }

  /** When a URL signed now with `ttlSeconds` expires (Unix seconds). */
  private expiry(ttlSeconds = this.config.urlTtlSeconds): number {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_URL_TTL_SECONDS) {
      throw new RtError(
        `Invalid ttlSeconds ${ttlSeconds}: an integer from 1 to ${MAX_URL_TTL_SECONDS}`,
      );
    }
    return Math.floor(Date.now() / 1000) + ttlSeconds;
  }
}
