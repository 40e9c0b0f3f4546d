import type { RtStats } from '../rt-queue.service.js';

/** The `outcome` label of `pluto_rt_pushes_total`: `ok`, or the typed error a push rejected with. */
export const PUSH_OUTCOMES = [
  'ok',
  'RtSerializationError',
  'RtMessageTooLargeError',
  'RtPlacementError',
  'RtQueueCompleteError',
  'RtQueueFullError',
  'RtRedisUnavailableError',
  'RtNotReplicatedError',
  'other',
] as const;
export type PushOutcome = (typeof PUSH_OUTCOMES)[number];

/** Where the delivered items went: the `transport` label of `delivered_events_total`. */
export const TRANSPORTS = ['sse', 'poll'] as const;
export type DeliveryTransport = (typeof TRANSPORTS)[number];

interface CounterRow {
  kind: 'counter';
  name: string;
  help: string;
  /** One label and its values: a series each, all shown from the start at 0. */
  label?: { name: string; values: readonly string[] };
}
interface HistogramRow {
  kind: 'histogram';
  name: string;
  help: string;
  buckets: readonly number[];
}
interface GaugeRow {
  kind: 'gauge';
  name: string;
  help: string;
  /** The app's value, read from its stats when scraped (summed over the apps of a registry). */
  read: (stats: RtStats) => number;
}
export type MetricRow = CounterRow | HistogramRow | GaugeRow;

/**
 * Every metric the module registers (under `metrics.prefix`, default `pluto_rt_`): adding
 * one is a row here, and a call of RtMetrics.count or observe where it happens. The README's
 * metric list says the same.
 */
export const METRICS = {
  pushes: {
    kind: 'counter',
    name: 'pushes_total',
    help: 'Pushes by outcome: ok, or the typed error they rejected with',
    label: { name: 'outcome', values: PUSH_OUTCOMES },
  },
  delivered: {
    kind: 'counter',
    name: 'delivered_events_total',
    help: 'Items delivered to clients, by transport',
    label: { name: 'transport', values: TRANSPORTS },
  },
  catchUpReads: {
    kind: 'counter',
    name: 'catch_up_reads_total',
    help: "Reads of a queue's history from Redis (a stream joining, resuming or filling a gap)",
  },
  slowClientsDropped: {
    kind: 'counter',
    name: 'slow_clients_dropped_total',
    help: 'SSE responses dropped because the client stopped reading',
  },
  readerReconnects: {
    kind: 'counter',
    name: 'reader_reconnects_total',
    help: 'Times the shared reader connection came back after a loss',
  },
  pushDuration: {
    kind: 'histogram',
    name: 'push_duration_seconds',
    help: 'Time of push(), from call to settle',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  },
  sseStreamDuration: {
    kind: 'histogram',
    name: 'sse_stream_duration_seconds',
    help: 'How long SSE responses stayed open',
    buckets: [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 14_400, 86_400],
  },
  openStreams: {
    kind: 'gauge',
    name: 'open_streams',
    help: 'Open streams: one per queue of each SSE response, and each stream() subscription',
    read: (s) => s.streams,
  },
  sseConnections: {
    kind: 'gauge',
    name: 'sse_connections',
    help: 'Open SSE responses (what maxStreams caps)',
    read: (s) => s.sseStreams,
  },
  watchedQueues: {
    kind: 'gauge',
    name: 'watched_queues',
    help: 'Queues with at least one open stream in this process',
    read: (s) => s.queues,
  },
} as const satisfies Record<string, MetricRow>;

type Rows = typeof METRICS;
export type CounterName = {
  [K in keyof Rows]: Rows[K]['kind'] extends 'counter' ? K : never;
}[keyof Rows];
export type HistogramName = {
  [K in keyof Rows]: Rows[K]['kind'] extends 'histogram' ? K : never;
}[keyof Rows];

/** Where each counter's series start in one array of counts: one slot per label value. */
export const FIRST_SLOT = {} as Record<CounterName, number>;
/** The counter and label value of each slot, in order. */
export const SLOTS: Array<{ counter: CounterName; labelValue?: string }> = [];
for (const [key, row] of Object.entries(METRICS) as Array<[keyof Rows, MetricRow]>) {
  if (row.kind !== 'counter') continue;
  FIRST_SLOT[key as CounterName] = SLOTS.length;
  for (const labelValue of row.label?.values ?? [undefined])
    SLOTS.push({ counter: key as CounterName, labelValue });
}
