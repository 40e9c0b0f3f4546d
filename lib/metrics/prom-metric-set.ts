import type * as Prom from 'prom-client';
import { RtOptionsError } from '../errors.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { CountingMetrics } from './counting-metrics.js';
import {
  METRICS,
  SLOTS,
  type CounterName,
  type HistogramName,
  type MetricRow,
} from './metric-table.js';

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
  /** The series of each counting slot (SLOTS), made once: an increment builds no label set. */
  private readonly series: Prom.Counter.Internal[] = [];
  private readonly histograms = {} as Record<HistogramName, Prom.Histogram>;

  constructor(
    prom: PromClient,
    private readonly registry: Prom.Registry,
    private readonly prefix: string,
  ) {
    const counters = {} as Record<CounterName, Prom.Counter<string>>;
    for (const [key, row] of Object.entries(METRICS) as Array<[string, MetricRow]>) {
      if (row.kind === 'counter') counters[key as CounterName] = this.counter(prom, row);
      else if (row.kind === 'histogram')
        this.histograms[key as HistogramName] = this.histogram(prom, row);
      else this.gauge(prom, row);
    }
    for (const { counter, labelValue } of SLOTS) {
      const series =
        labelValue === undefined
          ? counters[counter].labels()
          : counters[counter].labels(labelValue);
      // Every series shows from the start, at 0 (a rate over a series that appears is lost).
      series.inc(0);
      this.series.push(series);
    }
  }

  /** A sink for one app: it reports here until `detach`. */
  attach(): CountingMetrics {
    const observers = {} as Record<HistogramName, (seconds: number) => void>;
    for (const [name, histogram] of Object.entries(this.histograms) as Array<
      [HistogramName, Prom.Histogram]
    >)
      observers[name] = histogram.labels().observe;
    const app = new CountingMetrics(observers);
    app.detach = () => this.detach(app);
    this.apps.add(app);
    return app;
  }

  isRegistered(): boolean {
    return this.metrics.every(({ name, metric }) => this.registry.getSingleMetric(name) === metric);
  }

  /** The app stopped: its last counts stay in the counters, its gauges leave the sums. */
  private detach(app: CountingMetrics): void {
    this.foldApp(app);
    this.apps.delete(app);
  }

  /** Adds what each app counted since the last scrape to the counters. */
  private fold(): void {
    for (const app of this.apps) this.foldApp(app);
  }

  private foldApp(app: CountingMetrics): void {
    const { values, reported } = app;
    for (let slot = 0; slot < values.length; slot++) {
      const delta = values[slot]! - reported[slot]!;
      if (delta === 0) continue;
      reported[slot] = values[slot]!;
      this.series[slot]!.inc(delta);
    }
  }

  private counter(prom: PromClient, row: MetricRow & { kind: 'counter' }): Prom.Counter<string> {
    const labelNames = row.label ? [row.label.name] : [];
    const collect = () => this.fold();
    return this.add(
      row.name,
      (name) =>
        new prom.Counter({ name, help: row.help, labelNames, registers: [this.registry], collect }),
    );
  }

  private histogram(prom: PromClient, row: MetricRow & { kind: 'histogram' }): Prom.Histogram {
    const buckets = [...row.buckets];
    return this.add(
      row.name,
      (name) => new prom.Histogram({ name, help: row.help, buckets, registers: [this.registry] }),
    );
  }

  /** A gauge summed over the apps' stats when scraped. */
  private gauge(prom: PromClient, row: MetricRow & { kind: 'gauge' }): void {
    const apps = this.apps;
    this.add(
      row.name,
      (name) =>
        new prom.Gauge({
          name,
          help: row.help,
          registers: [this.registry],
          collect(this: Prom.Gauge) {
            let sum = 0;
            for (const app of apps) if (app.stats) sum += row.read(app.stats());
            this.set(sum);
          },
        }),
    );
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
