import { Observable } from 'rxjs';
import { RtQueueNotFoundError, RtTemplateError } from '../errors.js';
import { assertQueueName, createQueueName } from '../queue/queue-name.js';
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
  /** Open `stream()` subscriptions: whether each has seen its queue start. */
  private readonly openStreams = new Map<object, { queue: string; started: boolean }>();
  private readonly resets = new Set<() => void>();

  constructor(options: PlutoRtTestingOptions = {}) {
    const { config, routePrefix, checkTemplateFiles } = resolveTestingOptions(options);
    this.memory = new MemoryQueues(config.maxMessages);
    this.maxMessageBytes = config.maxMessageBytes;
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

  get<T = unknown>(name: string): RtQueue<T> {
    assertQueueName(name);
    return new RtQueue<T>(name, this.memory, this.maxMessageBytes);
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
        else subscriber.next({ id: entry.id, item: JSON.parse(entry.json) as T });
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
      .map((entry) => ({ id: entry.id, item: JSON.parse(entry.json!) as T }));
  }

  /** Whether `complete()` was called on `queue`. */
  isCompleted(queue: string): boolean {
    return this.memory.isCompleted(queue);
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

/** The module's template name rule alone, with its error. */
function assertTemplateName(name: string): void {
  const problem = templateNameProblem(name);
  if (problem) throw new RtTemplateError('invalid', String(name), problem);
}
