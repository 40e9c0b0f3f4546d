import { Inject, Injectable, Optional } from '@nestjs/common';
import { map, mergeMap, type Observable } from 'rxjs';
import {
  PLUTO_RT_CONFIG,
  PLUTO_RT_ROUTE_PREFIX,
  PLUTO_RT_STREAM_HUB,
  PLUTO_RT_STREAM_STORE,
} from './pluto-rt.constants.js';
import type { PlutoRtConfig } from './options/pluto-rt-config.js';
import { assertQueueName, createQueueName } from './queue/queue-name.js';
import { RtQueue } from './queue/rt-queue.js';
import { streamCursor } from './queue/stream-cursor.js';
// Type-only, and injected by token: this file (the injection token of the module's API,
// which nestjs-pluto-rt/testing provides too) must not load ioredis.
import type { StreamHub, RtHubStats } from './reader/stream-hub.js';
import type { StreamStore } from './store/stream-store.js';
import { TemplateRegistry } from './render/template-registry.js';
import { SseStreamLimit } from './http/sse-stream-limit.js';
import {
  RtUrlFactory,
  type RtGroupMember,
  type RtGroupUrls,
  type RtUrlOptions,
  type RtUrls,
} from './security/rt-url-factory.js';
import { UrlSigner } from './security/url-signer.js';
import type { RtMessage } from './store/rt-entry.js';
import { NO_METRICS, PLUTO_RT_METRICS, type RtMetrics } from './metrics/rt-metrics.js';

export type { RtGroupMember, RtGroupUrls, RtUrlOptions, RtUrls };

/** What `stats()` counts; each returns to its baseline when streams close. */
export interface RtStats extends RtHubStats {
  /** Open SSE responses of the module's route (what `maxStreams` caps). */
  sseStreams: number;
}

/** The module's API: make queue names, push onto queues, read them, sign their URLs. */
@Injectable()
export class RtQueueService {
  private readonly urls: RtUrlFactory;

  constructor(
    @Inject(PLUTO_RT_STREAM_STORE) private readonly store: StreamStore,
    @Inject(PLUTO_RT_STREAM_HUB) private readonly hub: StreamHub,
    signer: UrlSigner,
    templates: TemplateRegistry,
    private readonly sseLimit: SseStreamLimit,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_ROUTE_PREFIX) routePrefix: string,
    @Optional()
    @Inject(PLUTO_RT_METRICS)
    private readonly metrics: RtMetrics = NO_METRICS,
  ) {
    this.urls = new RtUrlFactory(
      signer,
      (name) => templates.assertUsable(name),
      routePrefix,
      config.urlTtlSeconds,
    );
  }

  /** A fresh, unguessable queue name (128 random bits, URL-safe), e.g. `rtq_Yk3...`. */
  createQueueName(prefix?: string): string {
    return createQueueName(prefix);
  }

  /**
   * A producer handle on queue `name` whose `push` takes `T` (any JSON value by default);
   * throws RtQueueNameError for a malformed name.
   */
  get<T = unknown>(name: string): RtQueue<T> {
    assertQueueName(name);
    return new RtQueue<T>(name, this.store, this.config.maxMessageBytes, this.metrics);
  }

  /**
   * The queue's items after `after` (default: from the start), live, ending after the end
   * marker. Errors with RtQueueNotFoundError if the queue does not exist. `T` is what the
   * caller says the queue holds (parsed JSON; not checked at run time).
   */
  stream<T = unknown>(name: string, options: { after?: string } = {}): Observable<RtMessage<T>> {
    assertQueueName(name);
    const cursor = streamCursor(options.after);
    return this.hub.watch(name, cursor).pipe(
      mergeMap((batch) => batch.filter((entry) => !entry.isEnd)),
      map((entry) => ({ id: entry.id, item: entry.item as T })),
    );
  }

  /**
   * Signed URLs of the module's SSE and polling routes for queue `name`, binding the item
   * template and mode. Throws RtTemplateError for a template that may not be used.
   */
  rtUrls(name: string, options: RtUrlOptions = {}): RtUrls {
    return this.urls.queueUrls(name, options);
  }

  /**
   * Signed URLs of the group routes for `members`: one connection (or poller) shows every
   * queue, each with its template and mode in its target, or delivers them all as JSON
   * when no member has a template. The exact set is signed: queues, order, templates,
   * modes, targets. Throws RtError for 0 or more than MAX_GROUP_QUEUES (16) members.
   */
  rtGroupUrls(members: RtGroupMember[], options: { ttlSeconds?: number } = {}): RtGroupUrls {
    return this.urls.groupUrls(members, options);
  }

  /** Counters for monitoring and leak checks. */
  stats(): RtStats {
    return { ...this.hub.stats(), sseStreams: this.sseLimit.count };
  }
}
