/** Updates of a `replace` route a page gets per second, at most (about one per frame). */
const REPLACE_INTERVAL_MS = 16;

/**
 * Merges what is ready for one connection at once into one event: entries that arrive in
 * one turn of the event loop (a burst of pushes, a page of history for a reader that is
 * behind) are handed on together at the end of it, never later (a lone entry goes at once).
 * A progress bar is different: after an event that updated a `replace` route, what comes
 * within REPLACE_INTERVAL_MS waits for the end of it and goes as one event, whose latest
 * value is the one shown. Everything waits then, not only the bar's items, so that an
 * event's id (the resume cursor) never passes an entry not yet sent.
 */
export class BurstMerger<T> {
  private pending: T[] = [];
  private scheduled = false;
  private hold?: NodeJS.Timeout;

  /** `emit` hands the entries on, and says whether they updated a replace route. */
  constructor(private readonly emit: (entries: T[]) => boolean) {}

  add(entries: readonly T[]): void {
    for (const entry of entries) this.pending.push(entry);
    if (this.scheduled || this.hold) return;
    this.scheduled = true;
    queueMicrotask(this.flush);
  }

  /** Hands on what waits, now: the stream is ending (its end marker may be among it). */
  flushNow(): void {
    clearTimeout(this.hold);
    this.hold = undefined;
    this.flush();
  }

  close(): void {
    clearTimeout(this.hold);
    this.hold = undefined;
    this.pending = [];
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    if (this.emit(entries)) this.hold = setTimeout(this.release, REPLACE_INTERVAL_MS);
  };

  private readonly release = (): void => {
    this.hold = undefined;
    this.flush();
  };
}
