/**
 * One entry of a queue's stream, shared by every subscriber that receives it, so that
 * parsing and rendering happen once per entry rather than once per consumer.
 */
export class RtEntry {
  private parsed?: { value: unknown };
  /** Per-entry cache of derived forms (rendered HTML, SSE events), keyed by their recipe. */
  memo?: Map<string, unknown>;

  /** `json` is undefined for the end marker. */
  constructor(
    readonly id: string,
    readonly json: string | undefined,
  ) {}

  get isEnd(): boolean {
    return this.json === undefined;
  }

  get item(): unknown {
    if (this.json === undefined) return undefined;
    this.parsed ??= { value: JSON.parse(this.json) };
    return this.parsed.value;
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
 * What `RtQueueService.stream<T>()` emits: one pushed item and its id (the resume cursor).
 * `T` is what the caller declares the queue holds; it is not checked at run time.
 */
export interface RtMessage<T = unknown> {
  id: string;
  item: T;
}
