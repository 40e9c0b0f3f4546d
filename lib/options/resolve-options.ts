import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { RtOptionsError } from '../errors.js';
import { isHtmxMajor, type HtmxMajor } from '../markup/htmx-dialect.js';
import {
  checkBoolean,
  checkInteger,
  checkObject,
  checkString,
  refuseUnknownKeys,
} from './option-checks.js';
import type { PlutoRtConfig } from './pluto-rt-config.js';
import type { PlutoRtModuleOptions } from './pluto-rt-options.interface.js';
import { resolveMetrics } from './resolve-metrics.js';
import { resolveRedis } from './resolve-redis.js';

const MIN_SECRET_LENGTH = 32;
/** A year: also the bound of `rtUrls`'s own ttlSeconds (an `exp` the routes accept). */
export const MAX_URL_TTL_SECONDS = 31_536_000;

type NumericOption = Exclude<
  {
    [K in keyof PlutoRtConfig]-?: PlutoRtConfig[K] extends number ? K : never;
  }[keyof PlutoRtConfig],
  'htmx' // a number, but one of two, not a range
>;

const NUMERIC_DEFAULTS: Record<NumericOption, { value: number; min: number; max: number }> = {
  keepaliveMs: { value: 10_000, min: 100, max: 3_600_000 },
  sseRetryMs: { value: 1_000, min: 100, max: 3_600_000 },
  completedTtlSeconds: { value: 60, min: 1, max: 31_536_000 },
  idleTtlSeconds: { value: 86_400, min: 1, max: 31_536_000 },
  startTimeoutSeconds: { value: 3_600, min: 1, max: 31_536_000 },
  maxMessages: { value: 10_000, min: 1, max: 10_000_000 },
  maxMessageBytes: { value: 65_536, min: 16, max: 64 * 1024 * 1024 },
  maxStreams: { value: 10_000, min: 1, max: 1_000_000 },
  commandTimeoutMs: { value: 5_000, min: 10, max: 600_000 },
  urlTtlSeconds: { value: 86_400, min: 1, max: MAX_URL_TTL_SECONDS },
  sweepIntervalMs: { value: 60_000, min: 100, max: 86_400_000 },
};

/** Merges defaults into the user's options and validates them; throws RtOptionsError naming the option. */
export function resolveOptions(options: PlutoRtModuleOptions | undefined): PlutoRtConfig {
  const raw = options ?? {};
  if (typeof raw !== 'object') throw new RtOptionsError('options', 'must be an object');
  refuseUnknownKeys(raw, KNOWN_OPTIONS, '', (key) =>
    key === 'routePrefix' || key === 'isGlobal'
      ? ' (pass it to forRoot/forRootAsync itself, beside useFactory)'
      : '',
  );

  const numbers = {} as Record<NumericOption, number>;
  for (const [name, rule] of Object.entries(NUMERIC_DEFAULTS) as [
    NumericOption,
    (typeof NUMERIC_DEFAULTS)[NumericOption],
  ][]) {
    const value = raw[name] ?? rule.value;
    if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
      throw new RtOptionsError(
        name,
        `must be an integer from ${rule.min} to ${rule.max}, got ${String(value)}`,
      );
    }
    numbers[name] = value;
  }

  const { secret, secretIsEphemeral } = resolveSecret(raw);
  return {
    ...numbers,
    redis: resolveRedis(raw.redis),
    waitForReplicas: resolveWaitForReplicas(raw.waitForReplicas, numbers.commandTimeoutMs),
    keyPrefix: resolveKeyPrefix(raw.keyPrefix),
    clientName: checkString('clientName', raw.clientName ?? 'pluto-rt', /^[\w:.-]{1,64}$/),
    templatesDir: resolve(
      checkString('templatesDir', raw.templatesDir ?? resolve(process.cwd(), 'views'), /^.+$/),
    ),
    secret,
    secretIsEphemeral,
    guards: resolveGuards(raw.guards),
    guardAssets: checkBoolean('guardAssets', raw.guardAssets ?? false),
    htmx: checkHtmx(raw.htmx),
    metrics: resolveMetrics(raw.metrics),
  };
}

const KNOWN_OPTIONS = new Set<string>([
  ...Object.keys(NUMERIC_DEFAULTS),
  'redis',
  'waitForReplicas',
  'keyPrefix',
  'clientName',
  'templatesDir',
  'secret',
  'insecureDevelopmentMode',
  'guards',
  'guardAssets',
  'htmx',
  'metrics',
]);

function checkHtmx(value: unknown): HtmxMajor {
  if (value === undefined) return 2;
  if (!isHtmxMajor(value))
    throw new RtOptionsError('htmx', `must be 2 or 4 (a number), got ${JSON.stringify(value)}`);
  return value;
}

function resolveSecret(raw: PlutoRtModuleOptions): { secret: string; secretIsEphemeral: boolean } {
  const devMode = checkBoolean('insecureDevelopmentMode', raw.insecureDevelopmentMode ?? false);
  if (raw.secret === undefined || raw.secret === '') {
    if (!devMode) {
      throw new RtOptionsError(
        'secret',
        `is required: a string of at least ${MIN_SECRET_LENGTH} characters that signs stream URLs (set insecureDevelopmentMode: true to use a random one in development)`,
      );
    }
    return { secret: randomBytes(32).toString('base64url'), secretIsEphemeral: true };
  }
  if (typeof raw.secret !== 'string' || raw.secret.length < MIN_SECRET_LENGTH) {
    throw new RtOptionsError(
      'secret',
      `must be a string of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return { secret: raw.secret, secretIsEphemeral: false };
}

function resolveKeyPrefix(keyPrefix: unknown = 'pluto-rt:'): string {
  if (typeof keyPrefix === 'string' && /[{}]/.test(keyPrefix)) {
    throw new RtOptionsError(
      'keyPrefix',
      `must not contain { or }: each queue's keys carry a hash tag of their own (prefix{queue}), got ${JSON.stringify(keyPrefix)}`,
    );
  }
  return checkString('keyPrefix', keyPrefix, /^[\w:.-]{1,64}$/);
}

const WAIT_KEYS = new Set(['replicas', 'timeoutMs']);

function resolveWaitForReplicas(
  wait: PlutoRtModuleOptions['waitForReplicas'],
  commandTimeoutMs: number,
): PlutoRtConfig['waitForReplicas'] {
  if (wait === undefined) return undefined;
  checkObject('waitForReplicas', wait);
  refuseUnknownKeys(wait, WAIT_KEYS, 'waitForReplicas.');
  const replicas = checkInteger('waitForReplicas.replicas', wait.replicas, 1, 100);
  // The WAIT rides on the push's own command time: it must leave room for the script.
  const timeoutMs = checkInteger('waitForReplicas.timeoutMs', wait.timeoutMs, 1, 60_000);
  if (timeoutMs >= commandTimeoutMs) {
    throw new RtOptionsError(
      'waitForReplicas.timeoutMs',
      `must be less than commandTimeoutMs (${commandTimeoutMs}), got ${timeoutMs}`,
    );
  }
  return { replicas, timeoutMs };
}

function resolveGuards(guards: PlutoRtModuleOptions['guards']): PlutoRtConfig['guards'] {
  if (guards === undefined) return [];
  if (!Array.isArray(guards))
    throw new RtOptionsError('guards', 'must be an array of guard classes or instances');
  guards.forEach((guard, index) => {
    const isClass = typeof guard === 'function';
    const isInstance =
      typeof guard === 'object' && guard !== null && typeof guard.canActivate === 'function';
    if (!isClass && !isInstance)
      throw new RtOptionsError(
        `guards[${index}]`,
        'must be a guard class or an object with canActivate()',
      );
  });
  return guards;
}
