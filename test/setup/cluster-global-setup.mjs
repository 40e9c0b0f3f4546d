// Starts the Redis Cluster (3 masters + 3 replicas) that the cluster project's suites share,
// and hands its nodes to them through PLUTO_RT_TEST_CLUSTER_NODES (read by test/helpers/
// topology.ts). A cluster named there already is used as it is, and left alone.
import { register } from 'node:module';

export default async function clusterGlobalSetup() {
  if (process.env.PLUTO_RT_TEST_CLUSTER_NODES) return;
  // The cluster helper is TypeScript, and this runs outside Jest's transform.
  register('./typescript-hooks.mjs', import.meta.url);
  const { startRedisCluster } = await import('../helpers/redis-cluster.ts');
  const cluster = await startRedisCluster();
  process.env.PLUTO_RT_TEST_CLUSTER_NODES = cluster.nodes
    .map(({ host, port }) => `${host}:${port}`)
    .join(',');
  globalThis.__PLUTO_RT_CLUSTER__ = cluster;
}
