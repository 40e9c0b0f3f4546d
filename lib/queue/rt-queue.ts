import { RtQueueCompleteError } from '../errors.js';
import type { QueueWriter } from './queue-writer.js';
import { NO_METRICS, outcomeIndexOf, type RtMetrics } from '../metrics/rt-metrics.js';
import { serializeItem } from './serialize-item.js';
import { checkEnd, storeEnd, type RtEndReason } from './end-reason.js';
import { checkPlacement, storePlaced, type RtPlacement } from './item-placement.js';
import type { QueueSignals } from './queue-signals.js';

/** The signal of a handle made without the module's (it never aborts). */
const NEVER = new AbortController().signal;

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

  /** Made by RtQueueService.get (and the testing module's): not for applications. */
  constructor(
    readonly name: string,
    private readonly store: QueueWriter,
    private readonly maxMessageBytes: number,
    private readonly metrics: RtMetrics = NO_METRICS,
    private readonly signals?: QueueSignals,
  ) {}

  /**
   * Aborts (with RtCancelledError as its reason) when the queue's page asks to cancel it
   * (`rt.cancelUrl(name)`, or the `pluto_rt/cancel` partial with `queue=`), whichever
   * process runs the work: for work that BullMQ does not run, whose processor gets no
   * signal of its own. Stop the work, then end the queue, e.g. `end('cancelled')`; until
   * then the page says "cancelling". Every handle of a queue shares one signal.
   */
  get signal(): AbortSignal {
    return this.signals?.signalOf(this.name) ?? NEVER;
  }

  /**
   * Appends an item (a JSON value of type `T`) and resolves to its entry id. With a
   * `placement`, pages show it at that target with that action (a row of a table updated
   * in place, a line removed) instead of where their routes send items. Rejects, writing
   * nothing, with RtSerializationError, RtMessageTooLargeError, RtPlacementError,
   * RtQueueCompleteError, RtQueueFullError or RtRedisUnavailableError.
   */
  async push(item: T, placement?: RtPlacement): Promise<string> {
    if (!this.metrics.on) return this.write(item, placement);
    const startedAt = performance.now();
    try {
      const id = await this.write(item, placement);
      this.metrics.count('pushes'); // label 0: PUSH_OUTCOMES[0], 'ok'
      this.metrics.observe('pushDuration', startedAt);
      return id;
    } catch (err) {
      this.metrics.count('pushes', 1, outcomeIndexOf(err));
      this.metrics.observe('pushDuration', startedAt);
      throw err;
    }
  }

  private async write(item: T, placement: RtPlacement | undefined): Promise<string> {
    if (this.completed) throw new RtQueueCompleteError(this.name);
    const json = serializeItem(item, this.maxMessageBytes);
    return this.store.push(
      this.name,
      placement ? storePlaced(json, checkPlacement(placement)) : json,
    );
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
    await this.end('complete');
  }

  /**
   * Ends the queue as failed, with a short `message` for the page (at most 500 characters,
   * shown as text): its streams close after the items before it, saying so.
   */
  async fail(message?: string): Promise<void> {
    await this.end('failed', message);
  }

  /**
   * Ends the queue with a reason: `complete`, `failed` or `cancelled`, and an optional short
   * message. The first ending wins: a later one (or `complete()`) changes nothing. Rejects
   * with RtEndError for an unknown reason or a message that is not short text.
   */
  async end(reason: RtEndReason, message?: string): Promise<void> {
    await this.store.complete(this.name, storeEnd(checkEnd(reason, message)));
    this.completed = true;
    this.signals?.release(this.name);
  }
}
