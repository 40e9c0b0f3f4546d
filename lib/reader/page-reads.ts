import type { Page, QueueAbsence } from '../store/stream-store.js';

/** How long a complete page (see isComplete) stays shareable after its answer, at most. */
const REUSE_MS = 1_000;
/** Bytes of answered pages kept for sharing in a process, at most. */
const REUSE_BYTES = 16 * 1024 * 1024;

let clock = 0;
/**
 * A point in the order of events that matter to sharing: when a listener began to buffer
 * what arrives live, and when a read went to Redis.
 */
export function readClock(): number {
  return ++clock;
}

/** Reads a page, calling `sending` just before its command goes to Redis. */
export type ReadPage = (
  queue: string,
  after: string,
  sending: () => void,
) => Promise<Page | QueueAbsence>;

interface SharedRead {
  /** readClock() when its command went out; undefined while it waits for its turn. */
  sentAt?: number;
  result: Promise<Page | QueueAbsence>;
  bytes: number;
  answeredAt?: number;
}

/**
 * Page reads shared by the streams of a process: readers of one queue from one cursor
 * (a reconnect storm, a flood of opens) read it once. A page that stopped at a limit, or
 * that ends with the end marker, is the same for everyone. A tail page (the queue's last
 * entries at the time) serves only readers that began buffering live entries before it was
 * read: one that joined later could miss an entry pushed in between. A read that waits
 * for its turn (READS_IN_FLIGHT) serves every reader that asks for it meanwhile.
 */
export class PageReads {
  /** The newest read of each queue and cursor, in flight or answered lately. */
  private readonly newest = new Map<string, SharedRead>();
  /** The answered ones among them, oldest answer first: what forgetOld looks at. */
  private readonly answered = new Map<string, SharedRead>();
  private keptBytes = 0;
  private sweep?: NodeJS.Timeout;

  constructor(private readonly read: ReadPage) {}

  /** The page after `after`, for a reader that has buffered live entries since `bufferedFrom`. */
  async page(queue: string, after: string, bufferedFrom: number): Promise<Page | QueueAbsence> {
    const key = `${queue}\0${after}`;
    for (;;) {
      this.forgetOld();
      const shared = this.newest.get(key);
      if (!shared) return this.send(key, queue, after).result;
      if (shared.sentAt === undefined || shared.sentAt > bufferedFrom) return shared.result;
      // Read before this reader began buffering: of use unless it was the tail.
      const result = await shared.result.catch(() => undefined);
      if (result !== undefined && typeof result === 'object' && isComplete(result)) return result;
      if (this.newest.get(key) === shared) return this.send(key, queue, after).result;
    }
  }

  private send(key: string, queue: string, after: string): SharedRead {
    const shared: SharedRead = { result: Promise.resolve('gone'), bytes: 0 };
    shared.result = this.read(queue, after, () => (shared.sentAt = readClock()));
    this.newest.set(key, shared);
    shared.result.then(
      (result) => this.keep(key, shared, result),
      () => this.drop(key, shared),
    );
    return shared;
  }

  private keep(key: string, shared: SharedRead, result: Page | QueueAbsence): void {
    if (this.newest.get(key) !== shared) return;
    // A tail or an absence serves only readers that asked before it was read: they have it.
    if (typeof result !== 'object' || !isComplete(result)) return this.drop(key, shared);
    const older = this.answered.get(key);
    if (older) this.drop(key, older);
    shared.answeredAt = Date.now();
    shared.bytes = pageBytes(result);
    this.keptBytes += shared.bytes;
    this.answered.set(key, shared);
    this.forgetOld();
    this.sweepLater();
  }

  /** Forgets what is kept without waiting for another read, which may be long in coming. */
  private sweepLater(): void {
    this.sweep ??= setTimeout(() => {
      this.sweep = undefined;
      this.forgetOld();
      if (this.answered.size > 0) this.sweepLater();
    }, REUSE_MS).unref();
  }

  close(): void {
    clearTimeout(this.sweep);
    this.newest.clear();
    this.answered.clear();
    this.keptBytes = 0;
  }

  private drop(key: string, shared: SharedRead): void {
    if (this.newest.get(key) === shared) this.newest.delete(key);
    if (this.answered.get(key) !== shared) return;
    this.answered.delete(key);
    this.keptBytes -= shared.bytes;
  }

  /** Forgets answers older than REUSE_MS, and the oldest beyond REUSE_BYTES. */
  private forgetOld(): void {
    const before = Date.now() - REUSE_MS;
    for (const [key, shared] of this.answered) {
      if (shared.answeredAt! > before && this.keptBytes <= REUSE_BYTES) break;
      this.drop(key, shared);
    }
  }
}

/** A page that is the same for every reader: it stopped at a limit, or ends with the end marker. */
function isComplete(page: Page): boolean {
  return page.more || page.entries.at(-1)?.isEnd === true;
}

function pageBytes(page: Page): number {
  let bytes = 0;
  for (const entry of page.entries) bytes += entry.json?.length ?? 0;
  return bytes;
}
