import {
  RtMessageTooLargeError,
  RtNotReplicatedError,
  RtPlacementError,
  RtQueueCompleteError,
  RtQueueFullError,
  RtRedisUnavailableError,
  RtSerializationError,
  type RtError,
} from '../errors.js';
import {
  PUSH_OUTCOMES,
  type CounterName,
  type HistogramName,
  type PushOutcome,
} from './metric-table.js';

export { PUSH_OUTCOMES, type PushOutcome } from './metric-table.js';

/** The outcome of each typed error a push can reject with. */
const OUTCOMES: Array<[new (...args: never[]) => RtError, PushOutcome]> = [
  [RtSerializationError, 'RtSerializationError'],
  [RtMessageTooLargeError, 'RtMessageTooLargeError'],
  [RtPlacementError, 'RtPlacementError'],
  [RtQueueCompleteError, 'RtQueueCompleteError'],
  [RtQueueFullError, 'RtQueueFullError'],
  [RtRedisUnavailableError, 'RtRedisUnavailableError'],
  [RtNotReplicatedError, 'RtNotReplicatedError'],
];

/** Index into PUSH_OUTCOMES (the `outcome` label) of the error a push rejected with. */
export function outcomeIndexOf(err: unknown): number {
  const outcome = OUTCOMES.find(([type]) => err instanceof type)?.[1] ?? 'other';
  return PUSH_OUTCOMES.indexOf(outcome);
}

/**
 * What the module reports as it works (see METRICS). The hot paths only add to plain
 * numbers (see CountingMetrics); with metrics off every call goes to NO_METRICS, which does
 * nothing, and `on` lets a caller skip even reading the clock.
 */
export interface RtMetrics {
  readonly on: boolean;
  /** Adds `by` to `counter` (its series `label`: the index of a label value). */
  count(counter: CounterName, by?: number, label?: number): void;
  /** Observes the seconds since `startedAt` (a `performance.now()`) in `histogram`. */
  observe(histogram: HistogramName, startedAt: number): void;
}

/** Metrics off: prom-client is never loaded, and each hook is an empty function. */
export const NO_METRICS: RtMetrics = {
  on: false,
  count: () => undefined,
  observe: () => undefined,
};
