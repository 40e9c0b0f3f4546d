import { RT_MODES, type RtMode } from '../pluto-rt.constants.js';
import { RtError } from '../errors.js';
import { MAX_URL_TTL_SECONDS } from '../options/resolve-options.js';
import { assertQueueName } from '../queue/queue-name.js';
import { groupProblem, signGroup, type GroupGrant, type GroupMember } from './group-grant.js';
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

  groupUrls(members: RtGroupMember[], options: { ttlSeconds?: number } = {}): RtGroupUrls {
    if (!Array.isArray(members)) throw new RtError('rtGroupUrls takes an array of queues');
    const resolved: GroupMember[] = members.map((member) => {
      assertQueueName(member.queue);
      const template = member.itemTemplate ?? '';
      if (template !== '') this.assertTemplate(template);
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
