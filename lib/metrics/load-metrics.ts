import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { NO_METRICS, type RtMetrics } from './rt-metrics.js';

/**
 * The app's metrics sink: NO_METRICS when the option is off. Only when it is on is the code
 * that uses prom-client loaded (and prom-client with it): the optional peer may be absent.
 */
export async function loadMetrics(config: PlutoRtConfig['metrics']): Promise<RtMetrics> {
  if (!config) return NO_METRICS;
  const { attachPromMetrics } = await import('./prom-metric-set.js');
  return attachPromMetrics(config);
}
