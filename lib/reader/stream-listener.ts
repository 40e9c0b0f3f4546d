import type { Subscriber } from 'rxjs';
import type { RtEntry } from '../store/rt-entry.js';
import { compareStreamIds, START_ID } from '../store/stream-id.js';

/** What a listener asks of its hub when it finds entries missing before one it was offered. */
export type GapHandler = (listener: StreamListener) => void;

/**
 * One open stream: delivers each entry after its cursor exactly once, in order. Entries
 * offered while it catches up from Redis wait in `pending`; an entry whose predecessor
 * it has not seen (a gap) sends it back to catching up.
 */
export class StreamListener {
  /** Entries offered during a catch-up, with their predecessors' ids. */
  pending: Array<[prevId: string, entry: RtEntry]> | null = [];
  /** When the listener found its queue not started yet (no stream); see `waitingForStart`. */
  waitingSince?: number;
  private done = false;

  constructor(
    public lastId: string,
    private readonly subscriber: Subscriber<RtEntry[]>,
    private readonly onGap: GapHandler,
  ) {}

  get catchingUp(): boolean {
    return this.pending !== null;
  }

  /** Waits for the first push of a queue that has not started: it has seen nothing yet. */
  get waitingForStart(): boolean {
    return this.waitingSince !== undefined && this.lastId === START_ID;
  }

  get closed(): boolean {
    return this.done || this.subscriber.closed;
  }

  /** A live entry from the reader; `batch` is `[entry]`, shared by all listeners. */
  offer(prevId: string, entry: RtEntry, batch: RtEntry[]): void {
    if (this.done) return;
    if (this.pending) {
      this.pending.push([prevId, entry]);
    } else if (compareStreamIds(entry.id, this.lastId) <= 0) {
      return;
    } else if (compareStreamIds(prevId, this.lastId) > 0) {
      this.pending = [[prevId, entry]];
      this.onGap(this);
    } else {
      this.deliver(batch);
    }
  }

  /** Ends a catch-up with what was read from Redis, then replays what waited meanwhile. */
  caughtUp(entries: RtEntry[], alwaysEmit: boolean): void {
    if (this.done) return;
    // The end marker counts even at or before the cursor: a client resuming after close.
    const fresh = entries.filter(
      (entry) => entry.isEnd || compareStreamIds(entry.id, this.lastId) > 0,
    );
    if (fresh.length > 0 || alwaysEmit) this.deliver(fresh);
    const waiting = this.pending ?? [];
    this.pending = null;
    for (const [prevId, entry] of waiting) this.offer(prevId, entry, [entry]);
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.subscriber.error(err);
  }

  /** Ends the stream without an end marker (process shutdown): clients reconnect elsewhere. */
  end(): void {
    if (this.done) return;
    this.done = true;
    this.subscriber.complete();
  }

  private deliver(batch: RtEntry[]): void {
    const endAt = batch.findIndex((entry) => entry.isEnd);
    const upToEnd = endAt === -1 ? batch : batch.slice(0, endAt + 1);
    if (upToEnd.length > 0) this.lastId = upToEnd[upToEnd.length - 1]!.id;
    this.subscriber.next(upToEnd);
    if (endAt !== -1) this.end();
  }
}
