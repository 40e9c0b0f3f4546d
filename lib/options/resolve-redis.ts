import { RtOptionsError } from '../errors.js';
import packageRequire from '../platform/package-require.cjs';
import { DEFAULTS } from './defaults.js';
import type { PlutoRtConfig } from './pluto-rt-config.js';
import type { PlutoRtModuleOptions } from './pluto-rt-options.interface.js';
import { checkObject, checkOneOf, checkString, refuseUnknownKeys } from './option-checks.js';

const PUBSUB_KINDS = ['auto', 'sharded', 'classic'] as const;
const REDIS_KEYS = new Set(['url', 'options', 'cluster', 'client', 'pubsub']);
const CLUSTER_KEYS = new Set(['nodes', 'options']);

type ResolvedRedis = PlutoRtConfig['redis'];

/** Validates the `redis` option: one way to reach Redis, and what cluster mode needs. */
export function resolveRedis(redis: PlutoRtModuleOptions['redis']): ResolvedRedis {
  if (redis === undefined) return { url: DEFAULTS.redisUrl, pubsub: 'auto' };
  checkObject('redis', redis);
  // redis.options itself goes to ioredis as it is: its options are ioredis's to know.
  refuseUnknownKeys(redis, REDIS_KEYS, 'redis.');
  const pubsub = checkOneOf('redis.pubsub', redis.pubsub ?? 'auto', PUBSUB_KINDS);
  const { url, options, cluster, client } = redis;
  const ways = [
    url !== undefined || options !== undefined,
    cluster !== undefined,
    client !== undefined,
  ];
  if (ways.filter(Boolean).length > 1) {
    throw new RtOptionsError('redis', 'takes one of client, cluster, or url and/or options');
  }

  if (client !== undefined) {
    if (typeof client !== 'object' || client === null || typeof client.duplicate !== 'function')
      throw new RtOptionsError('redis.client', 'must be an ioredis client (Redis or Cluster)');
    if (client.isCluster) checkClusterMode('redis.client', pubsub, client.options.keyPrefix);
    return { client, pubsub };
  }
  if (cluster !== undefined) {
    checkObject('redis.cluster', cluster);
    refuseUnknownKeys(cluster, CLUSTER_KEYS, 'redis.cluster.');
    if (!Array.isArray(cluster.nodes) || cluster.nodes.length === 0)
      throw new RtOptionsError('redis.cluster.nodes', 'must be a non-empty array of startup nodes');
    if (cluster.options !== undefined) checkObject('redis.cluster.options', cluster.options);
    // The module's Cluster also subscribes, and ioredis would prefix those channels too.
    if (cluster.options?.keyPrefix !== undefined) {
      throw new RtOptionsError(
        'redis.cluster.options.keyPrefix',
        'is not supported: use the module option keyPrefix instead',
      );
    }
    checkClusterMode('redis.cluster', pubsub, undefined);
    return { cluster, pubsub };
  }
  if (url !== undefined) checkString('redis.url', url, /^rediss?:\/\/[^\s]+$/);
  if (options !== undefined) {
    checkObject('redis.options', options);
    checkSentinels('redis.options', options);
  }
  if (url === undefined && options === undefined) return { url: DEFAULTS.redisUrl, pubsub };
  return { url, options, pubsub };
}

/** What a cluster needs: ioredis 6, sharded pub/sub, and keys free to carry their hash tag. */
export function checkClusterMode(
  option: string,
  pubsub: string,
  clientKeyPrefix: unknown,
  version = ioredisVersion(),
): void {
  if (Number(version.split('.')[0]) < 6) {
    throw new RtOptionsError(
      option,
      `needs ioredis 6 or later (found ${version}): ioredis 5 never settles an SSUBSCRIBE that a cluster answers with MOVED`,
    );
  }
  if (pubsub === 'classic') {
    throw new RtOptionsError(
      'redis.pubsub',
      'cannot be "classic" on a cluster: PUBLISH goes to every node; use "sharded" or "auto"',
    );
  }
  if (typeof clientKeyPrefix === 'string' && /[{}]/.test(clientKeyPrefix)) {
    throw new RtOptionsError(
      `${option} keyPrefix`,
      `must not contain { or }: it would put every queue in one hash slot (got ${JSON.stringify(clientKeyPrefix)})`,
    );
  }
}

/** ioredis needs the master's name beside its sentinels. */
function checkSentinels(option: string, options: { sentinels?: unknown; name?: unknown }): void {
  if (options.sentinels === undefined || options.sentinels === null) return;
  if (!Array.isArray(options.sentinels) || options.sentinels.length === 0)
    throw new RtOptionsError(`${option}.sentinels`, 'must be a non-empty array of sentinels');
  if (typeof options.name !== 'string' || options.name === '')
    throw new RtOptionsError(`${option}.name`, 'must name the master the sentinels monitor');
}

/** The version of the ioredis that this module loads (the app's, a peer dependency). */
function ioredisVersion(): string {
  return (packageRequire('ioredis/package.json') as { version: string }).version;
}
