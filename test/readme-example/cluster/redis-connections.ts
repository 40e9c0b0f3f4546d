import { Cluster } from 'ioredis';
import type { PlutoRtRedisOptions } from 'nestjs-pluto-rt';

// A Redis Cluster (Redis 7+, ioredis 6): startup nodes, and any ioredis Cluster options.
export const cluster: PlutoRtRedisOptions = {
  cluster: { nodes: [{ host: '10.0.0.1', port: 6379 }] },
};

// A Cluster client of your own (the module never closes it; it adds one subscriber client).
export const ownCluster: PlutoRtRedisOptions = {
  client: new Cluster([{ host: '10.0.0.1', port: 6379 }]),
};

// Sentinel: ioredis finds the master and follows failovers.
export const sentinel: PlutoRtRedisOptions = {
  options: { sentinels: [{ host: '10.0.0.5', port: 26379 }], name: 'mymaster' },
};
