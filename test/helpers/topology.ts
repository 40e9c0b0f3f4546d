// The Redis a suite runs on: one server, or a Redis Cluster (3 masters + 3 replicas), as the
// Jest project says (jest.config.js). What tests inspect there: redis-inspect.ts.
import { Cluster, Redis } from 'ioredis';
import type { PlutoRtRedisOptions } from '../../lib/index.js';
import { startPrivateRedis as startRedisServer } from '../../scripts/redis-env.mjs';
import { startRedisCluster } from './redis-cluster.js';
import { HOST, type Addr } from './redis-process.js';
import type { Inspector } from './redis-inspect.js';
import { REDIS_URL } from './redis.js';

export type Topology = 'standalone' | 'cluster';

/** This Jest project's topology, from its `globals` (jest.config.js); standalone elsewhere. */
export const TOPOLOGY: Topology =
  (globalThis as { PLUTO_RT_TOPOLOGY?: Topology }).PLUTO_RT_TOPOLOGY ?? 'standalone';

/** A Redis of the current topology. */
export interface RedisTarget {
  /** The module's `redis` option for it. */
  option: PlutoRtRedisOptions;
  /** Every node: the server, or the cluster's masters and replicas. */
  nodes: Addr[];
  /** A new client of the test's own for inspecting it. */
  inspector(): Inspector;
  /** Stops it if the test started it. */
  stop(): Promise<void>;
}

/**
 * The Redis that this project's suites share: the one the global setup found or started, or
 * the cluster whose nodes the cluster project's global setup put in PLUTO_RT_TEST_CLUSTER_NODES.
 */
export function projectRedis(): RedisTarget {
  if (TOPOLOGY === 'standalone') return serverTarget(REDIS_URL, async () => {});
  const nodes = (process.env.PLUTO_RT_TEST_CLUSTER_NODES ?? '').split(',').map(parseAddr);
  if (!nodes[0]?.port) throw new Error('PLUTO_RT_TEST_CLUSTER_NODES is not set (global setup)');
  return clusterTarget(nodes, async () => {});
}

/** A Redis for this suite alone (server-wide counters stay its own), of the project's topology. */
export async function startPrivateRedis(topology = TOPOLOGY): Promise<RedisTarget> {
  if (topology === 'standalone') {
    const server = await startRedisServer();
    return serverTarget(server.url, () => server.stop());
  }
  const cluster = await startRedisCluster();
  return clusterTarget(cluster.nodes, () => cluster.stop());
}

function serverTarget(url: string, stop: () => Promise<void>): RedisTarget {
  const { hostname, port } = new URL(url);
  return {
    option: { url },
    nodes: [{ host: hostname, port: Number(port) || 6379 }],
    inspector: () => new Redis(url, { maxRetriesPerRequest: 1 }),
    stop,
  };
}

function clusterTarget(nodes: Addr[], stop: () => Promise<void>): RedisTarget {
  return {
    option: { cluster: { nodes } },
    nodes,
    inspector: () => new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 } }),
    stop,
  };
}

function parseAddr(text: string): Addr {
  const [host = HOST, port = ''] = text.split(':');
  return { host, port: Number(port) };
}
