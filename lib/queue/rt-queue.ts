import { RtQueueCompleteError } from '../errors.js';
import type { QueueWriter } from './queue-writer.js';
import { NO_METRICS, outcomeIndexOf, type RtMetrics } from '../metrics/rt-metrics.js';
import { serializeItem } from './serialize-item.js';

/** The shape `progress()` pushes; item templates can test `item.type === 'progress'`. */
export interface RtProgressItem {
  type: 'progress';
  value: number;
  max: number;
  /** `value / max` as a whole percentage, clamped to 0..100. */
  percent: number;
  [extra: string]: unknown;
}

/**
 * A producer's handle on one queue. Get it from `RtQueueService.get<T>(name)`; it holds no
 * connection of its own, so getting one per job is free. `T` is what `push` accepts (any
 * JSON value by default); readers see it after a JSON round trip.
 */
export class RtQueue<T = unknown> {
  private completed = false;

  /** @internal */
  constructor(
    readonly name: string,
    private readonly store: QueueWriter,
    private readonly maxMessageBytes: number,
    private readonly metrics: RtMetrics = NO_METRICS,
  ) {}

  /**
   * Appends an item (a JSON value of type `T`) and resolves to its entry id. Rejects,
   * writing nothing, with RtSerializationError, RtMessageTooLargeError, RtQueueCompleteError,
   * RtQueueFullError or RtRedisUnavailableError.
   */
  async push(item: T): Promise<string> {
    if (!this.metrics.on) return this.write(item);
    const startedAt = performance.now();
    try {
      const id = await this.write(item);
      this.metrics.pushed(0, startedAt); // PUSH_OUTCOMES[0] is 'ok'
      return id;
    } catch (err) {
      this.metrics.pushed(outcomeIndexOf(err), startedAt);
      throw err;
    }
  }

  private async write(item: T): Promise<string> {
    if (this.completed) throw new RtQueueCompleteError(this.name);
    return this.store.push(this.name, serializeItem(item, this.maxMessageBytes));
  }

  /**
   * Pushes an `RtProgressItem`; `extra` fields are merged into it (e.g. a label). On a typed
   * queue it compiles only when `T` admits one, e.g. `get<Row | RtProgressItem>()`.
   */
  async progress(
    this: RtQueue<RtProgressItem>,
    value: number,
    max = 100,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    if (!Number.isFinite(value) || !Number.isFinite(max) || max <= 0) {
      throw new RangeError(
        `progress(value, max) needs finite numbers and max > 0, got (${value}, ${max})`,
      );
    }
    const percent = Math.min(100, Math.max(0, Math.round((value / max) * 100)));
    return this.push({ ...extra, type: 'progress', value, max, percent });
  }

  /**
   * Appends the end marker: every open stream closes after the items before it. Returns at
   * once (no waiting for readers); the queue is deleted after `completedTtlSeconds`.
   * Completing twice is harmless.
   */
  async complete(): Promise<void> {
    await this.store.complete(this.name);
    this.completed = true;
  }
}
