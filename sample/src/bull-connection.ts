import type { ConnectionOptions } from 'bullmq';
import { Cluster } from 'ioredis';
import type { SampleConfig } from './sample-config.js';

/**
 * BullMQ's connection: the Redis URL, or on a Redis Cluster a `Cluster` and a hash-tagged
 * prefix (`{bull}`), so that every key of a BullMQ queue lands in one slot, as BullMQ
 * documents for clusters. BullMQ does not close a connection it was handed: `close` does.
 */
export function bullConnection(config: SampleConfig): {
  connection: ConnectionOptions;
  prefix: string;
  close(): Promise<void>;
} {
  if (!config.redisCluster) {
    return {
      connection: { url: config.redisUrl },
      prefix: config.bullPrefix,
      close: async () => {},
    };
  }
  const cluster = new Cluster(config.redisCluster, {
    redisOptions: { maxRetriesPerRequest: null }, // BullMQ workers block; they must not give up
  });
  return {
    connection: cluster,
    prefix: `{${config.bullPrefix}}`,
    close: async () => {
      await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}
