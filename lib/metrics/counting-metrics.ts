import type { RtStats } from '../rt-queue.service.js';
import { PUSH_OUTCOMES, type DeliveryTransport, type RtMetrics } from './rt-metrics.js';

/** Slots of CountingMetrics.values: one per push outcome, then the other counters. */
export const COUNT = {
  deliveredSse: PUSH_OUTCOMES.length,
  deliveredPoll: PUSH_OUTCOMES.length + 1,
  catchUpReads: PUSH_OUTCOMES.length + 2,
  slowClientsDropped: PUSH_OUTCOMES.length + 3,
  readerReconnects: PUSH_OUTCOMES.length + 4,
} as const;
const SLOTS = PUSH_OUTCOMES.length + 5;

/**
 * One app's metrics with metrics on. The hot paths (each delivered item, each catch-up
 * read) add to a typed array and allocate nothing; the prom-client counters take the
 * differences when they are scraped (PromMetricSet.fold). The histograms are observed
 * directly, once per push and once per SSE response.
 */
export class CountingMetrics implements RtMetrics {
  readonly on = true;
  readonly values = new Float64Array(SLOTS);
  /** What PromMetricSet.fold has already added to the counters. */
  readonly reported = new Float64Array(SLOTS);
  /** The app's gauges (RtQueueService.stats), once the app is up. */
  stats?: () => RtStats;
  /** Stops reporting to the shared metrics (set by PromMetricSet.attach). */
  detach: () => void = () => undefined;

  constructor(
    private readonly observePush: (seconds: number) => void,
    private readonly observeSseStream: (seconds: number) => void,
  ) {}

  pushed(outcome: number, startedAt: number): void {
    this.values[outcome]!++;
    this.observePush((performance.now() - startedAt) / 1000);
  }

  delivered(transport: DeliveryTransport, items: number): void {
    this.values[transport === 'sse' ? COUNT.deliveredSse : COUNT.deliveredPoll]! += items;
  }

  catchUpRead(): void {
    this.values[COUNT.catchUpReads]!++;
  }

  slowClientDropped(): void {
    this.values[COUNT.slowClientsDropped]!++;
  }

  readerReconnected(): void {
    this.values[COUNT.readerReconnects]!++;
  }

  sseStreamEnded(startedAt: number): void {
    this.observeSseStream((performance.now() - startedAt) / 1000);
  }
}
