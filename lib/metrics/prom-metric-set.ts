import type * as Prom from 'prom-client';
import { RtOptionsError } from '../errors.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import type { RtStats } from '../rt-queue.service.js';
import { COUNT, CountingMetrics } from './counting-metrics.js';
import { PUSH_OUTCOMES } from './rt-metrics.js';

type PromClient = typeof Prom;

// A variable specifier: the build must not need the optional peer, only this file does.
const PROM_CLIENT = 'prom-client';

/** Loads prom-client and attaches an app to the metrics of its registry and prefix. */
export async function attachPromMetrics(
  config: NonNullable<PlutoRtConfig['metrics']>,
): Promise<CountingMetrics> {
  let prom: PromClient;
  try {
    const loaded = (await import(PROM_CLIENT)) as PromClient & { default?: PromClient };
    prom = loaded.default ?? loaded;
  } catch (err) {
    throw new RtOptionsError(
      'metrics',
      `needs the optional peer dependency prom-client, which could not be loaded (npm install prom-client): ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const registry = (config.registry as Prom.Registry | undefined) ?? prom.register;
  return metricSetFor(prom, registry, config.prefix).attach();
}

const PUSH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STREAM_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 14_400, 86_400];

/** Every metric the module registers, created by pluto-rt: never mistaken for another's. */
const ours = new WeakSet<object>();
/** The set of each registry and prefix, shared by every app of the process that uses it. */
const sets = new WeakMap<Prom.Registry, Map<string, PromMetricSet>>();

/**
 * The module's metrics in `registry`, registered once and shared: several apps in one
 * process (tests, an app restarted in place) add their counts to the same metrics instead
 * of failing with "already registered" or registering duplicates. A set whose metrics
 * left the registry (`registry.clear()`) is made again.
 */
export function metricSetFor(
  prom: PromClient,
  registry: Prom.Registry,
  prefix: string,
): PromMetricSet {
  let byPrefix = sets.get(registry);
  if (!byPrefix) sets.set(registry, (byPrefix = new Map()));
  const existing = byPrefix.get(prefix);
  if (existing?.isRegistered()) return existing;
  const set = new PromMetricSet(prom, registry, prefix);
  byPrefix.set(prefix, set);
  return set;
}

/** The metrics of one registry and prefix, and the apps that report to them. */
export class PromMetricSet {
  private readonly apps = new Set<CountingMetrics>();
  private readonly metrics: Array<{ name: string; metric: Prom.Metric }> = [];
  private readonly pushes: Prom.Counter<'outcome'>;
  private readonly delivered: Prom.Counter<'transport'>;
  private readonly catchUpReads: Prom.Counter;
  private readonly slowClientsDropped: Prom.Counter;
  private readonly readerReconnects: Prom.Counter;
  private readonly pushDuration: Prom.Histogram;
  private readonly sseStreamDuration: Prom.Histogram;
  /** Label children made once: an increment never builds a label set. */
  private readonly pushChildren: Array<Prom.Counter.Internal>;
  private readonly deliveredChildren: { sse: Prom.Counter.Internal; poll: Prom.Counter.Internal };

  constructor(
    prom: PromClient,
    private readonly registry: Prom.Registry,
    private readonly prefix: string,
  ) {
    const fold = () => this.fold();
    const apps = this.apps;
    const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      this.add(
        name,
        (n) =>
          new prom.Counter<L>({ name: n, help, labelNames, registers: [registry], collect: fold }),
      );
    const gauge = (name: string, help: string, read: (stats: RtStats) => number) =>
      this.add(
        name,
        (n) =>
          new prom.Gauge({
            name: n,
            help,
            registers: [registry],
            collect(this: Prom.Gauge) {
              let sum = 0;
              for (const app of apps) if (app.stats) sum += read(app.stats());
              this.set(sum);
            },
          }),
      );
    const histogram = (name: string, help: string, buckets: number[]) =>
      this.add(name, (n) => new prom.Histogram({ name: n, help, buckets, registers: [registry] }));

    gauge(
      'open_streams',
      'Open streams: one per queue of each SSE response, and each stream() subscription',
      (s) => s.streams,
    );
    gauge('sse_connections', 'Open SSE responses (what maxStreams caps)', (s) => s.sseStreams);
    gauge(
      'watched_queues',
      'Queues with at least one open stream in this process',
      (s) => s.queues,
    );
    this.pushes = counter(
      'pushes_total',
      'Pushes by outcome: ok, or the typed error they rejected with',
      ['outcome'],
    );
    this.delivered = counter('delivered_events_total', 'Items delivered to clients, by transport', [
      'transport',
    ]);
    this.catchUpReads = counter(
      'catch_up_reads_total',
      "Reads of a queue's history from Redis (a stream joining, resuming or filling a gap)",
    );
    this.slowClientsDropped = counter(
      'slow_clients_dropped_total',
      'SSE responses dropped because the client stopped reading',
    );
    this.readerReconnects = counter(
      'reader_reconnects_total',
      'Times the shared reader connection came back after a loss',
    );
    this.pushDuration = histogram(
      'push_duration_seconds',
      'Time of push(), from call to settle',
      PUSH_BUCKETS,
    );
    this.sseStreamDuration = histogram(
      'sse_stream_duration_seconds',
      'How long SSE responses stayed open',
      STREAM_BUCKETS,
    );
    this.pushChildren = PUSH_OUTCOMES.map((outcome) => this.pushes.labels(outcome));
    this.deliveredChildren = {
      sse: this.delivered.labels('sse'),
      poll: this.delivered.labels('poll'),
    };
    // Every series shows from the start, at 0 (a rate over a series that appears is lost).
    for (const child of [...this.pushChildren, ...Object.values(this.deliveredChildren)])
      child.inc(0);
  }

  /** A sink for one app: it reports here until `detach`. */
  attach(): CountingMetrics {
    const push = this.pushDuration.labels();
    const stream = this.sseStreamDuration.labels();
    const app = new CountingMetrics(push.observe, stream.observe);
    app.detach = () => this.detach(app);
    this.apps.add(app);
    return app;
  }

  /** The app stopped: its last counts stay in the counters, its gauges leave the sums. */
  private detach(app: CountingMetrics): void {
    this.foldApp(app);
    this.apps.delete(app);
  }

  isRegistered(): boolean {
    return this.metrics.every(({ name, metric }) => this.registry.getSingleMetric(name) === metric);
  }

  /** Adds what each app counted since the last scrape to the counters. */
  private fold(): void {
    for (const app of this.apps) this.foldApp(app);
  }

  private foldApp(app: CountingMetrics): void {
    const { values, reported } = app;
    for (let i = 0; i < values.length; i++) {
      const delta = values[i]! - reported[i]!;
      if (delta === 0) continue;
      reported[i] = values[i]!;
      if (i < PUSH_OUTCOMES.length) this.pushChildren[i]!.inc(delta);
      else if (i === COUNT.deliveredSse) this.deliveredChildren.sse.inc(delta);
      else if (i === COUNT.deliveredPoll) this.deliveredChildren.poll.inc(delta);
      else if (i === COUNT.catchUpReads) this.catchUpReads.inc(delta);
      else if (i === COUNT.slowClientsDropped) this.slowClientsDropped.inc(delta);
      else if (i === COUNT.readerReconnects) this.readerReconnects.inc(delta);
    }
  }

  /**
   * Registers `prefix + name`, first taking out a metric of that name that an earlier set
   * of ours left behind; one that someone else registered is an error.
   */
  private add<M extends Prom.Metric>(name: string, make: (fullName: string) => M): M {
    const fullName = this.prefix + name;
    const present = this.registry.getSingleMetric(fullName);
    if (present) {
      if (!ours.has(present)) {
        throw new RtOptionsError(
          'metrics',
          `cannot register ${fullName}: the registry has a metric of that name that pluto-rt did not make (choose another metrics.prefix)`,
        );
      }
      this.registry.removeSingleMetric(fullName);
    }
    const metric = make(fullName);
    ours.add(metric);
    this.metrics.push({ name: fullName, metric });
    return metric;
  }
}
