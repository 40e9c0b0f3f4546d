import { Cluster } from 'ioredis';
import { REDIS_URL } from './redis.js';
import { projectRedis, TOPOLOGY } from './topology.js';

/** BullMQ on the project's Redis: what a test's queues, workers and BullModule take. */
export interface BullTarget {
  connection: never;
  prefix: string;
  /** How a worker process of the tests (test/e2e/support) reaches the same Redis. */
  processArg: string;
  close(): Promise<void>;
}

/**
 * The standalone server by URL, or, on the cluster project, one ioredis Cluster with a
 * hash-tagged prefix (every key of a BullMQ queue in one slot, as BullMQ requires there).
 */
export function bullTarget(name: string): BullTarget {
  if (TOPOLOGY === 'standalone')
    return {
      connection: { url: REDIS_URL } as never,
      prefix: name,
      processArg: REDIS_URL,
      close: async () => {},
    };
  const { nodes } = projectRedis();
  const cluster = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: null } });
  return {
    connection: cluster as never,
    prefix: `{${name}}`,
    processArg: `cluster:${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    close: async () => {
      await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}
