import type { Subscriber } from 'rxjs';
import type { RtEntry } from '../store/rt-entry.js';
import { compareStreamIds, START_ID } from '../store/stream-id.js';
import { readClock } from './page-reads.js';

/** What a listener asks of its hub when it finds entries missing before one it was offered. */
export type GapHandler = (listener: StreamListener) => void;

/** Resolves once the consumer has taken what it was given (an SSE socket that drained). */
export type Pace = () => Promise<void>;

/**
 * Live entries a listener keeps while it catches up, at most: past this (a slow reader of a
 * long history while the job pushes on), it forgets them, and reads them from Redis.
 */
const MAX_PENDING = 1_000;

const atOnce: Pace = () => Promise.resolve();

/**
 * One open stream: delivers each entry after its cursor exactly once, in order. Entries
 * offered while it catches up from Redis wait in `pending`; an entry whose predecessor
 * it has not seen (a gap) sends it back to catching up. The end marker ends it even when
 * its cursor is past it (a cursor beyond the queue's last entry).
 */
export class StreamListener {
  /** Entries offered during a catch-up, with their predecessors' ids. */
  pending: Array<[prevId: string, entry: RtEntry]> | null = [];
  /**
   * readClock() when `pending` began: a read of the queue's tail that went out before then
   * may lack entries pushed before then, which `pending` lacks too.
   */
  bufferedFrom = readClock();
  /** When the listener found its queue not started yet (no stream); see `waitingForStart`. */
  waitingSince?: number;
  private done = false;

  constructor(
    public lastId: string,
    private readonly subscriber: Subscriber<RtEntry[]>,
    private readonly onGap: GapHandler,
    /** Awaited between two pages of a catch-up: a long history goes at the reader's pace. */
    readonly pace: Pace = atOnce,
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

  /** Starts buffering live entries (a catch-up is due), unless it does already. */
  buffer(): void {
    if (this.pending) return;
    this.pending = [];
    this.bufferedFrom = readClock();
  }

  /** A live entry from the reader; `batch` is `[entry]`, shared by all listeners. */
  offer(prevId: string, entry: RtEntry, batch: RtEntry[]): void {
    if (this.done) return;
    if (this.pending) {
      if (this.pending.length >= MAX_PENDING) {
        // Forgotten: the catch-up finds them in Redis (a read sent from now on holds them).
        this.pending = [];
        this.bufferedFrom = readClock();
      }
      this.pending.push([prevId, entry]);
    } else if (compareStreamIds(entry.id, this.lastId) <= 0) {
      if (entry.isEnd) this.deliver(batch);
    } else if (compareStreamIds(prevId, this.lastId) > 0) {
      this.pending = [[prevId, entry]];
      this.bufferedFrom = readClock();
      this.onGap(this);
    } else {
      this.deliver(batch);
    }
  }

  /**
   * A page of a catch-up read from Redis. The last one (`tail`: it reached the queue's end)
   * ends the catch-up, and what waited meanwhile follows.
   */
  caughtUp(entries: RtEntry[], alwaysEmit: boolean, tail = true): void {
    if (this.done) return;
    // The end marker counts even at or before the cursor: a client resuming after close.
    const fresh = entries.filter(
      (entry) => entry.isEnd || compareStreamIds(entry.id, this.lastId) > 0,
    );
    if (fresh.length > 0 || alwaysEmit) this.deliver(fresh);
    if (!tail) return;
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
