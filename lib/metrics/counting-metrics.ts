import type { RtStats } from '../rt-queue.service.js';
import { FIRST_SLOT, SLOTS, type CounterName, type HistogramName } from './metric-table.js';
import type { RtMetrics } from './rt-metrics.js';

/**
 * One app's metrics with metrics on. The hot paths (each delivered item, each catch-up
 * read) add to a typed array and allocate nothing; the prom-client counters take the
 * differences when they are scraped (PromMetricSet.fold). The histograms are observed
 * directly, once per push and once per SSE response.
 */
export class CountingMetrics implements RtMetrics {
  readonly on = true;
  /** One slot per counter and label value (SLOTS). */
  readonly values = new Float64Array(SLOTS.length);
  /** What PromMetricSet.fold has already added to the counters. */
  readonly reported = new Float64Array(SLOTS.length);
  /** The app's gauges (RtQueueService.stats), once the app is up. */
  stats?: () => RtStats;
  /** Stops reporting to the shared metrics (set by PromMetricSet.attach). */
  detach: () => void = () => undefined;

  constructor(private readonly histograms: Record<HistogramName, (seconds: number) => void>) {}

  count(counter: CounterName, by = 1, label = 0): void {
    this.values[FIRST_SLOT[counter] + label]! += by;
  }

  observe(histogram: HistogramName, startedAt: number): void {
    this.histograms[histogram]((performance.now() - startedAt) / 1000);
  }
}
