import type { RtEnd } from '../queue/end-reason.js';
import { Observable } from 'rxjs';
import { RtQueueNotFoundError, RtTemplateError } from '../errors.js';
import { runStart, type RtJobProgress } from '../jobs/job-items.js';
import { RunStartWriter } from '../jobs/run-start-writer.js';
import { jobQueueName, type RtJobRef } from '../queue/job-queue-name.js';
import { assertQueueName, createQueueName } from '../queue/queue-name.js';
import { readStored } from '../queue/item-placement.js';
import { QueueSignals } from '../queue/queue-signals.js';
import { RtQueue } from '../queue/rt-queue.js';
import { streamCursor } from '../queue/stream-cursor.js';
import { TemplateRegistry } from '../render/template-registry.js';
import { templateNameProblem } from '../render/template-name.js';
import type {
  RtGroupMember,
  RtGroupUrls,
  RtQueueService,
  RtStats,
  RtUrlOptions,
  RtJobUrls,
  RtUrls,
} from '../rt-queue.service.js';
import { RtUrlFactory } from '../security/rt-url-factory.js';
import { UrlSigner } from '../security/url-signer.js';
import type { RtMessage } from '../store/rt-entry.js';
import { entriesAfter, MemoryQueues, type MemoryEntry } from './memory-queues.js';
import { resolveTestingOptions, type PlutoRtTestingOptions } from './testing-options.js';

/** The public API of RtQueueService, which the recorder implements member for member. */
export type RtQueueServiceApi = Pick<RtQueueService, keyof RtQueueService>;

/**
 * RtQueueService without Redis, for unit tests of the code that uses it: queues live in
 * memory, every push and completion is recorded, URLs are signed as the module signs them.
 * Pushes go through the module's own RtQueue, so bad items fail with the same errors.
 */
export class RecordingRtQueueService implements RtQueueServiceApi {
  private readonly memory: MemoryQueues;
  private readonly maxMessageBytes: number;
  private readonly urls: RtUrlFactory;
  private readonly secret: string;
  /** Open `stream()` subscriptions: whether each has seen its queue start. */
  private readonly openStreams = new Map<object, { queue: string; started: boolean }>();
  private readonly resets = new Set<() => void>();
  private readonly signals = new QueueSignals();

  constructor(options: PlutoRtTestingOptions = {}) {
    const { config, routePrefix, checkTemplateFiles } = resolveTestingOptions(options);
    this.memory = new MemoryQueues(config.maxMessages);
    this.maxMessageBytes = config.maxMessageBytes;
    this.secret = config.secret;
    // With a templatesDir the files must exist, as in the module; without one, only the
    // name rules apply (a unit test need not have the app's views at hand).
    const templates = checkTemplateFiles ? new TemplateRegistry(config) : undefined;
    this.urls = new RtUrlFactory(
      new UrlSigner(config),
      (name) => (templates ? templates.assertUsable(name) : assertTemplateName(name)),
      routePrefix,
      config.urlTtlSeconds,
    );
  }

  // --- RtQueueService ---

  createQueueName(prefix?: string): string {
    return createQueueName(prefix);
  }

  // The job's queue, its handle and URLs: as RtQueueService's, with the recorder's secret.
  jobQueueName(job: RtJobRef): string {
    return jobQueueName(job, this.secret);
  }

  forJob<T = unknown>(job: RtJobRef & RtJobProgress): RtQueue<T> {
    const name = this.jobQueueName(job);
    const start = runStart(job);
    if (start.length === 0) return this.get<T>(name);
    const writer = new RunStartWriter(this.memory, start);
    return new RtQueue<T>(name, writer, this.maxMessageBytes, undefined, this.signals);
  }

  jobUrls(job: RtJobRef, options: RtUrlOptions = {}): RtJobUrls {
    const name = this.jobQueueName(job);
    const cancel = this.urls.cancelUrl(name, job.queueName, job.id!, options.ttlSeconds);
    return { ...this.rtUrls(name, options), cancel };
  }

  get<T = unknown>(name: string): RtQueue<T> {
    assertQueueName(name);
    return new RtQueue<T>(name, this.memory, this.maxMessageBytes, undefined, this.signals);
  }

  cancelUrl(name: string, ttlSeconds?: number): string {
    assertQueueName(name);
    return this.urls.queueCancelUrl(name, ttlSeconds);
  }

  /**
   * The queue's items after `after`, then those pushed later, ending at its completion. A
   * queue not started yet is waited for; `reset()` fails open streams with
   * RtQueueNotFoundError (their queue is gone).
   */
  stream<T = unknown>(name: string, options: { after?: string } = {}): Observable<RtMessage<T>> {
    assertQueueName(name);
    const cursor = streamCursor(options.after);
    return new Observable<RtMessage<T>>((subscriber) => {
      const state = { queue: name, started: this.memory.entries(name) !== undefined };
      this.openStreams.set(subscriber, state);
      const deliver = (entry: MemoryEntry): void => {
        state.started = true;
        if (entry.json === undefined) subscriber.complete();
        else subscriber.next(messageOf<T>(entry));
      };
      // Listen first, then replay: an entry appended meanwhile is not missed nor doubled.
      let replayed = false;
      const pending: MemoryEntry[] = [];
      const stopListening = this.memory.listen(name, (entry) => {
        if (replayed) deliver(entry);
        else pending.push(entry);
      });
      const onReset = (): void => subscriber.error(new RtQueueNotFoundError(name));
      this.resets.add(onReset);
      for (const entry of entriesAfter(this.memory.entries(name) ?? [], cursor)) {
        if (subscriber.closed) break;
        deliver(entry);
      }
      replayed = true;
      for (const entry of pending) if (!subscriber.closed) deliver(entry);
      return () => {
        stopListening();
        this.resets.delete(onReset);
        this.openStreams.delete(subscriber);
      };
    });
  }

  rtUrls(name: string, options: RtUrlOptions = {}): RtUrls {
    return this.urls.queueUrls(name, options);
  }

  rtGroupUrls(members: RtGroupMember[], options: { ttlSeconds?: number } = {}): RtGroupUrls {
    return this.urls.groupUrls(members, options);
  }

  /** The open `stream()` subscriptions; nothing is read from Redis, nor served over SSE. */
  stats(): RtStats {
    const states = [...this.openStreams.values()];
    return {
      streams: states.length,
      queues: new Set(states.map((state) => state.queue)).size,
      catchingUp: 0,
      waitingForStart: states.filter((state) => !state.started).length,
      sseStreams: 0,
    };
  }

  // --- What a test asserts on ---

  /** The items pushed onto `queue`, in order, as a reader gets them (parsed from JSON). */
  pushed<T = unknown>(queue: string): T[] {
    return this.messages<T>(queue).map((message) => message.item);
  }

  /** The items pushed onto `queue` with their ids (what `stream()` emits). */
  messages<T = unknown>(queue: string): RtMessage<T>[] {
    return (this.memory.entries(queue) ?? [])
      .filter((entry) => entry.json !== undefined)
      .map((entry) => messageOf<T>(entry));
  }

  /** Whether `queue` ended (`complete()`, `fail()` or `end()` was called on it). */
  isCompleted(queue: string): boolean {
    return this.memory.isCompleted(queue);
  }

  /** How `queue` ended: `{ reason, message? }`, or undefined while it runs. */
  endingOf(queue: string): RtEnd | undefined {
    return this.memory.endingOf(queue);
  }

  /**
   * Cancels queue `queue` as its page would (`cancelUrl`): aborts its handles' `signal`
   * with RtCancelledError. Returns whether a handle had asked for the signal.
   */
  cancel(queue: string): boolean {
    return this.signals.abort(queue);
  }

  /** The queues pushed to or completed, in the order they started. */
  queues(): string[] {
    return this.memory.names();
  }

  /** Forgets every queue, e.g. between tests; open streams fail as if their queue expired. */
  reset(): void {
    this.memory.clear();
    for (const fail of [...this.resets]) fail();
  }
}

/** An item entry as `stream()` emits it (MemoryQueues keeps the stored form, placement included). */
function messageOf<T>(entry: MemoryEntry): RtMessage<T> {
  const { json, placement } = readStored(entry.json!);
  const item = JSON.parse(json) as T;
  return placement ? { id: entry.id, item, placement } : { id: entry.id, item };
}

/** The module's template name rule alone, with its error. */
function assertTemplateName(name: string): void {
  const problem = templateNameProblem(name);
  if (problem) throw new RtTemplateError('invalid', String(name), problem);
}
