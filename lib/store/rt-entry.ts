import type { RtEnd } from '../queue/end-reason.js';
import { readStored, type RtPlacement } from '../queue/item-placement.js';

const COMPLETE: RtEnd = { reason: 'complete' };

/**
 * One entry of a queue's stream, shared by every subscriber that receives it, so that
 * parsing and rendering happen once per entry rather than once per consumer.
 */
export class RtEntry {
  /** The item's JSON; undefined for the end marker. */
  readonly json: string | undefined;
  /** How the queue ended, for the end marker (undefined for an item). */
  readonly end?: RtEnd;
  /** Where the job sent the item in the page, if it chose (see RtQueue.push). */
  readonly placement?: RtPlacement;
  private parsed?: { value: unknown };
  /** Per-entry cache of derived forms (rendered HTML, SSE events), keyed by their recipe. */
  memo?: Map<string, unknown>;

  /**
   * `stored` is the entry's data as the stream holds it; undefined for the end marker, whose
   * ending is `end` (a plain completion when not given).
   */
  constructor(
    readonly id: string,
    stored: string | undefined,
    end?: RtEnd,
  ) {
    if (stored === undefined) {
      this.json = undefined;
      this.end = end ?? COMPLETE;
      return;
    }
    const { json, placement } = readStored(stored);
    this.json = json;
    if (placement) this.placement = placement;
  }

  get isEnd(): boolean {
    return this.json === undefined;
  }

  get item(): unknown {
    if (this.json === undefined) return undefined;
    this.parsed ??= { value: JSON.parse(this.json) };
    return this.parsed.value;
  }

  /** The item's `type`, when it is an object with a string one (what routes choose by). */
  get type(): string | undefined {
    const item = this.item as { type?: unknown } | null;
    return typeof item === 'object' && item !== null && typeof item.type === 'string'
      ? item.type
      : undefined;
  }

  remember<T>(key: string, make: () => T): T {
    this.memo ??= new Map();
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = make();
    this.memo.set(key, value);
    return value;
  }
}

/**
 * What `RtQueueService.stream<T>()` emits: one pushed item and its id (the resume cursor),
 * and where the job placed it, if it did. `T` is what the caller declares the queue holds;
 * it is not checked at run time.
 */
export interface RtMessage<T = unknown> {
  id: string;
  item: T;
  placement?: RtPlacement;
}
