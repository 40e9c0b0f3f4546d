import {
  RtMessageTooLargeError,
  RtNotReplicatedError,
  RtQueueCompleteError,
  RtQueueFullError,
  RtRedisUnavailableError,
  RtSerializationError,
} from '../errors.js';

/** @internal Injection token of the module's metrics sink (NO_METRICS when metrics are off). */
export const PLUTO_RT_METRICS = Symbol('PLUTO_RT_METRICS');

/** The `outcome` label of `pluto_rt_pushes_total`: `ok`, or the typed error a push rejected with. */
export const PUSH_OUTCOMES = [
  'ok',
  'RtSerializationError',
  'RtMessageTooLargeError',
  'RtQueueCompleteError',
  'RtQueueFullError',
  'RtRedisUnavailableError',
  'RtNotReplicatedError',
  'other',
] as const;
export type PushOutcome = (typeof PUSH_OUTCOMES)[number];

/** Index into PUSH_OUTCOMES of the error a push rejected with. */
export function outcomeIndexOf(err: unknown): number {
  const outcome: PushOutcome =
    err instanceof RtSerializationError
      ? 'RtSerializationError'
      : err instanceof RtMessageTooLargeError
        ? 'RtMessageTooLargeError'
        : err instanceof RtQueueCompleteError
          ? 'RtQueueCompleteError'
          : err instanceof RtQueueFullError
            ? 'RtQueueFullError'
            : err instanceof RtRedisUnavailableError
              ? 'RtRedisUnavailableError'
              : err instanceof RtNotReplicatedError
                ? 'RtNotReplicatedError'
                : 'other';
  return PUSH_OUTCOMES.indexOf(outcome);
}

/** Where the delivered items went. */
export type DeliveryTransport = 'sse' | 'poll';

/**
 * What the module reports as it works. The hot paths only add to plain numbers (see
 * CountingMetrics); with metrics off every call goes to NO_METRICS, which does nothing,
 * and `on` lets a caller skip even reading the clock.
 */
export interface RtMetrics {
  readonly on: boolean;
  /** A push settled; `startedAt` is its `performance.now()`; `outcome` indexes PUSH_OUTCOMES. */
  pushed(outcome: number, startedAt: number): void;
  delivered(transport: DeliveryTransport, items: number): void;
  catchUpRead(): void;
  slowClientDropped(): void;
  readerReconnected(): void;
  /** An SSE response ended; `startedAt` is its `performance.now()` when it was accepted. */
  sseStreamEnded(startedAt: number): void;
}

const nothing = (): void => undefined;

/** Metrics off: prom-client is never loaded, and each hook is an empty function. */
export const NO_METRICS: RtMetrics = {
  on: false,
  pushed: nothing,
  delivered: nothing,
  catchUpRead: nothing,
  slowClientDropped: nothing,
  readerReconnected: nothing,
  sseStreamEnded: nothing,
};
