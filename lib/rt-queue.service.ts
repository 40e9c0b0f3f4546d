import { Inject, Injectable, Optional } from '@nestjs/common';
import { map, mergeMap, type Observable } from 'rxjs';
import {
  PLUTO_RT_CONFIG,
  PLUTO_RT_ROUTE_PREFIX,
  PLUTO_RT_STREAM_HUB,
  PLUTO_RT_STREAM_STORE,
} from './pluto-rt.constants.js';
import type { PlutoRtConfig } from './options/pluto-rt-config.js';
import { runStart, type RtJobProgress } from './jobs/job-items.js';
import { RunStartWriter } from './jobs/run-start-writer.js';
import { jobQueueName, type RtJobRef } from './queue/job-queue-name.js';
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
  type RtRouteOptions,
  type RtUrlOptions,
  type RtJobUrls,
  type RtUrls,
} from './security/rt-url-factory.js';
import { UrlSigner } from './security/url-signer.js';
import type { RtMessage } from './store/rt-entry.js';
import { NO_METRICS, type RtMetrics } from './metrics/rt-metrics.js';
import { PLUTO_RT_METRICS, PLUTO_RT_QUEUE_SIGNALS } from './pluto-rt.constants.js';
import type { QueueSignals } from './queue/queue-signals.js';

export type { RtGroupMember, RtGroupUrls, RtJobUrls, RtRouteOptions, RtUrlOptions, RtUrls };

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
    @Optional()
    @Inject(PLUTO_RT_QUEUE_SIGNALS)
    private readonly signals?: QueueSignals,
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
   * The queue bound to a job (a BullMQ `Job` once added, or any `{ queueName, id }`): the
   * same name for the controller that added the job and the processor that runs it, derived
   * with the module's secret (see jobQueueName). Throws RtQueueNameError without an id.
   */
  jobQueueName(job: RtJobRef): string {
    return jobQueueName(job, this.config.secret);
  }

  /**
   * A producer handle on the job's queue (see jobQueueName), e.g. `rt.forJob(job)` in a
   * processor: there, its first write is preceded by the run's start (a `job` item, "attempt
   * n of m", told once), so that each attempt's items follow a line that names it.
   */
  forJob<T = unknown>(job: RtJobRef & RtJobProgress): RtQueue<T> {
    const name = this.jobQueueName(job);
    const start = runStart(job);
    if (start.length === 0) return this.get<T>(name);
    const writer = new RunStartWriter(this.store, start);
    return new RtQueue<T>(name, writer, this.config.maxMessageBytes, this.metrics, this.signals);
  }

  /**
   * The signed URLs of the job's queue (see jobQueueName and rtUrls), and `cancel`: the
   * signed POST URL that cancels the job (see docs/job-life.md).
   */
  jobUrls(job: RtJobRef, options: RtUrlOptions = {}): RtJobUrls {
    const name = this.jobQueueName(job);
    const cancel = this.urls.cancelUrl(name, job.queueName, job.id!, options.ttlSeconds);
    return { ...this.rtUrls(name, options), cancel };
  }

  /**
   * A producer handle on queue `name` whose `push` takes `T` (any JSON value by default);
   * throws RtQueueNameError for a malformed name.
   */
  get<T = unknown>(name: string): RtQueue<T> {
    assertQueueName(name);
    return new RtQueue<T>(
      name,
      this.store,
      this.config.maxMessageBytes,
      this.metrics,
      this.signals,
    );
  }

  /**
   * The signed POST URL that cancels the work on queue `name` when no BullMQ job runs it:
   * it aborts the queue handle's `signal` wherever the work runs (see RtQueue.signal).
   * For a job's queue use `jobUrls(job).cancel`. Throws RtQueueNameError for a bad name.
   */
  cancelUrl(name: string, ttlSeconds?: number): string {
    assertQueueName(name);
    return this.urls.queueCancelUrl(name, ttlSeconds);
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
      map((entry) =>
        entry.placement
          ? { id: entry.id, item: entry.item as T, placement: entry.placement }
          : { id: entry.id, item: entry.item as T },
      ),
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
