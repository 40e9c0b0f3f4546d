import { RtQueueCompleteError, RtQueueFullError } from '../errors.js';
import { readEnd, type RtEnd } from '../queue/end-reason.js';
import type { QueueWriter } from '../queue/queue-writer.js';
import { compareStreamIds } from '../store/stream-id.js';

/** One entry as the store keeps it: `json` is undefined for the end marker, `end` its ending. */
export interface MemoryEntry {
  id: string;
  json: string | undefined;
  end?: RtEnd;
}

/** Told of each entry appended to a queue, in order. */
export type EntryListener = (entry: MemoryEntry) => void;

interface MemoryQueue {
  entries: MemoryEntry[];
  /** The told position (see pushTold). */
  told: number;
  completed: boolean;
  lastMs: number;
  lastSeq: number;
}

/**
 * The queues of `nestjs-pluto-rt/testing`, in memory: the rules of the Redis store (no push
 * after the end marker, at most `maxMessages` items, ids `<ms>-<seq>` that only grow)
 * without a server. Queues never expire; `clear()` forgets them all.
 */
export class MemoryQueues implements QueueWriter {
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly listeners = new Map<string, Set<EntryListener>>();

  constructor(private readonly maxMessages: number) {}

  async push(name: string, json: string): Promise<string> {
    const queue = this.queueFor(name);
    if (queue.completed) throw new RtQueueCompleteError(name);
    // No end marker yet, so every entry is an item.
    if (queue.entries.length >= this.maxMessages) {
      throw new RtQueueFullError(name, this.maxMessages);
    }
    return this.append(name, queue, json).id;
  }

  /** As the store: pushes if `position` is past the told position, which it becomes. */
  async pushTold(name: string, json: string, position: number): Promise<string | undefined> {
    const queue = this.queueFor(name);
    if (position <= queue.told) return undefined;
    queue.told = position;
    return this.push(name, json);
  }

  /** Idempotent, like the store: the first ending wins, and its end marker's id is returned. */
  async complete(name: string, ending: string): Promise<string> {
    const queue = this.queueFor(name);
    if (queue.completed) return queue.entries[queue.entries.length - 1]!.id;
    queue.completed = true;
    return this.append(name, queue, undefined, readEnd(ending)).id;
  }

  /** How `name` ended (undefined while it runs). */
  endingOf(name: string): RtEnd | undefined {
    return this.queues.get(name)?.entries.at(-1)?.end;
  }

  /** The queue's entries (end marker included), or undefined if it has not started. */
  entries(name: string): readonly MemoryEntry[] | undefined {
    return this.queues.get(name)?.entries;
  }

  isCompleted(name: string): boolean {
    return this.queues.get(name)?.completed ?? false;
  }

  /** Names of the queues pushed to or completed, in the order they started. */
  names(): string[] {
    return [...this.queues.keys()];
  }

  /** Hears every entry appended to `name` from now on; returns the unsubscribe. */
  listen(name: string, listener: EntryListener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(name) === set) this.listeners.delete(name);
    };
  }

  /** Forgets every queue. Listeners stay: the caller decides what their streams do. */
  clear(): void {
    this.queues.clear();
  }

  private queueFor(name: string): MemoryQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = { entries: [], told: -1, completed: false, lastMs: 0, lastSeq: 0 };
      this.queues.set(name, queue);
    }
    return queue;
  }

  private append(name: string, queue: MemoryQueue, json: string | undefined, end?: RtEnd) {
    const entry: MemoryEntry = end
      ? { id: this.nextId(queue), json, end }
      : { id: this.nextId(queue), json };
    queue.entries.push(entry);
    for (const listener of [...(this.listeners.get(name) ?? [])]) listener(entry);
    return entry;
  }

  /** As XADD '*' makes them: the clock in ms, and a sequence within the same ms. */
  private nextId(queue: MemoryQueue): string {
    const now = Date.now();
    if (now > queue.lastMs) {
      queue.lastMs = now;
      queue.lastSeq = 0;
    } else {
      queue.lastSeq++;
    }
    return `${queue.lastMs}-${queue.lastSeq}`;
  }
}

/** The entries of `entries` after `cursor` (a canonical stream id). */
export function entriesAfter(entries: readonly MemoryEntry[], cursor: string): MemoryEntry[] {
  return entries.filter((entry) => compareStreamIds(entry.id, cursor) > 0);
}
