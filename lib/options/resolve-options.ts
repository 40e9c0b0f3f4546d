import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
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
import { DEFAULTS, NUMERIC_OPTIONS } from './defaults.js';

const MIN_SECRET_LENGTH = 32;

type NumericOption = keyof typeof NUMERIC_OPTIONS;

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
  for (const [name, rule] of Object.entries(NUMERIC_OPTIONS) as [
    NumericOption,
    (typeof NUMERIC_OPTIONS)[NumericOption],
  ][]) {
    const value: number = raw[name] ?? rule.value;
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
    clientName: checkString('clientName', raw.clientName ?? DEFAULTS.clientName, /^[\w:.-]{1,64}$/),
    templatesDir: resolveTemplatesDir(raw.templatesDir),
    secret,
    secretIsEphemeral,
    guards: resolveGuards(raw.guards),
    guardAssets: checkBoolean('guardAssets', raw.guardAssets ?? DEFAULTS.guardAssets),
    htmx: checkHtmx(raw.htmx),
    metrics: resolveMetrics(raw.metrics),
    followJobs: checkFollowJobs(raw.followJobs),
  };
}

/** BullMQ queue names: no `:` (BullMQ refuses it), at most MAX_FOLLOWED_QUEUES, each once. */
function checkFollowJobs(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_FOLLOWED_QUEUES)
    throw new RtOptionsError(
      'followJobs',
      `must be an array of at most ${MAX_FOLLOWED_QUEUES} BullMQ queue names, got ${JSON.stringify(value)}`,
    );
  const names = value.map((name, i) => checkString(`followJobs[${i}]`, name, /^[^:\s]{1,100}$/));
  if (new Set(names).size !== names.length)
    throw new RtOptionsError('followJobs', 'names a queue twice');
  return names;
}

/** Queues one app follows at most: each costs a blocking Redis connection per process. */
const MAX_FOLLOWED_QUEUES = 32;

/** Every option of forRoot (the extras aside): any other key is refused by name. */
export const KNOWN_OPTIONS = new Set<string>([
  ...Object.keys(NUMERIC_OPTIONS),
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
  'followJobs',
]);

/**
 * The item templates' folder, absolute. One given must exist: a relative path resolves
 * against the working directory, and started from elsewhere the app would boot and fail
 * every item. (The default, `<cwd>/views`, is checked on first use: a JSON-only app has none.)
 */
function resolveTemplatesDir(given: unknown): string {
  if (given === undefined) return resolve(process.cwd(), DEFAULTS.templatesDir);
  const dir = resolve(checkString('templatesDir', given, /^.+$/));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new RtOptionsError(
      'templatesDir',
      `is not a folder: ${dir}${dir === given ? '' : ` (${JSON.stringify(given)} resolved against the working directory ${process.cwd()}; build the path from your module's own folder instead)`}`,
    );
  }
  return dir;
}

function checkHtmx(value: unknown): HtmxMajor {
  if (value === undefined) return DEFAULTS.htmx;
  if (!isHtmxMajor(value))
    throw new RtOptionsError('htmx', `must be 2 or 4 (a number), got ${JSON.stringify(value)}`);
  return value;
}

function resolveSecret(raw: PlutoRtModuleOptions): { secret: string; secretIsEphemeral: boolean } {
  const devMode = checkBoolean(
    'insecureDevelopmentMode',
    raw.insecureDevelopmentMode ?? DEFAULTS.insecureDevelopmentMode,
  );
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

function resolveKeyPrefix(keyPrefix: unknown = DEFAULTS.keyPrefix): string {
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
