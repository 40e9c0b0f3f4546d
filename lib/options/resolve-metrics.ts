import { RtOptionsError } from '../errors.js';
import { checkObject, checkString, refuseUnknownKeys } from './option-checks.js';
import { DEFAULTS } from './defaults.js';
import type { PlutoRtConfig } from './pluto-rt-config.js';
import type { PlutoRtModuleOptions } from './pluto-rt-options.interface.js';

const METRICS_KEYS = new Set(['registry', 'prefix']);
/** A Prometheus metric name's start; the module appends names such as `pushes_total`. */
const PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,63}$/;

/** Validates the `metrics` option: off, `true` (the default registry), or `{ registry?, prefix? }`. */
export function resolveMetrics(metrics: PlutoRtModuleOptions['metrics']): PlutoRtConfig['metrics'] {
  if (metrics === undefined || metrics === false) return undefined;
  if (metrics === true) return { prefix: DEFAULTS.metricsPrefix };
  checkObject('metrics', metrics);
  refuseUnknownKeys(metrics, METRICS_KEYS, 'metrics.');
  const { registry } = metrics;
  if (registry !== undefined) {
    const r = registry as unknown as Record<string, unknown> | null;
    if (
      typeof r !== 'object' ||
      r === null ||
      typeof r.getSingleMetric !== 'function' ||
      typeof r.registerMetric !== 'function' ||
      typeof r.removeSingleMetric !== 'function'
    ) {
      throw new RtOptionsError('metrics.registry', 'must be a prom-client Registry');
    }
  }
  const prefix = checkString('metrics.prefix', metrics.prefix ?? DEFAULTS.metricsPrefix, PREFIX);
  return { registry, prefix };
}
