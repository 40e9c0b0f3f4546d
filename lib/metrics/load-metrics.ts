import type * as Prom from 'prom-client';
import { RtOptionsError } from '../errors.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { metricSetFor } from './prom-metric-set.js';
import { NO_METRICS, type RtMetrics } from './rt-metrics.js';

// A variable specifier: TypeScript must not resolve (and the build must not need) the
// optional peer; it is loaded only when the `metrics` option is on.
const PROM_CLIENT = 'prom-client';

/** The app's metrics sink: NO_METRICS when the option is off (prom-client is not loaded). */
export async function loadMetrics(config: PlutoRtConfig['metrics']): Promise<RtMetrics> {
  if (!config) return NO_METRICS;
  let prom: typeof Prom;
  try {
    const loaded = (await import(PROM_CLIENT)) as typeof Prom & { default?: typeof Prom };
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
