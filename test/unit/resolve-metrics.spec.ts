import { RtOptionsError } from '../../lib/errors.js';
import type { PlutoRtModuleOptions } from '../../lib/options/pluto-rt-options.interface.js';
import { resolveOptions } from '../../lib/options/resolve-options.js';

const SECRET = 'unit-secret-0123456789-abcdefghijklmnop';
/** The shape of a prom-client Registry that the option checks (no prom-client needed here). */
const registry = {
  getSingleMetric: () => undefined,
  registerMetric: () => undefined,
  removeSingleMetric: () => undefined,
};

const metricsOf = (metrics: unknown) =>
  resolveOptions({ secret: SECRET, metrics } as PlutoRtModuleOptions).metrics;

function metricsError(metrics: unknown): string {
  try {
    metricsOf(metrics);
  } catch (err) {
    expect(err).toBeInstanceOf(RtOptionsError);
    return (err as Error).message;
  }
  throw new Error('resolveOptions accepted the metrics option');
}

describe('the metrics option', () => {
  it('is off by default, and with false', () => {
    expect(metricsOf(undefined)).toBeUndefined();
    expect(metricsOf(false)).toBeUndefined();
  });

  it('true is the default registry with the pluto_rt_ prefix', () => {
    expect(metricsOf(true)).toEqual({ prefix: 'pluto_rt_' });
  });

  it('takes a registry and a prefix', () => {
    expect(metricsOf({ registry, prefix: 'app:rt_' })).toEqual({ registry, prefix: 'app:rt_' });
    expect(metricsOf({})).toEqual({ prefix: 'pluto_rt_' });
  });

  it('refuses what it does not know, naming the option', () => {
    expect(metricsError('yes')).toMatch(/"metrics" must be an object/);
    expect(metricsError({ registery: registry })).toMatch(
      /"metrics.registery" is not a known option/,
    );
    expect(metricsError({ registry: {} })).toMatch(
      /"metrics.registry" must be a prom-client Registry/,
    );
    expect(metricsError({ prefix: 'my-app' })).toMatch(/"metrics.prefix" must be a string/);
    expect(metricsError({ prefix: '' })).toMatch(/"metrics.prefix" must be a string/);
  });
});
