// A BullMQ worker process that takes one job, says so, and hangs: the test kills it with
// SIGKILL, as an OOM kill does. Its lock then expires and a live worker's stall check gives
// the job to another run. Arguments: a redis URL (or `cluster:host:port,...`), BullMQ's
// prefix, the queue's name.
import { Worker } from 'bullmq';
import { Cluster } from 'ioredis';

const [redis, prefix, name] = process.argv.slice(2);
const connection = redis.startsWith('cluster:')
  ? new Cluster(
      redis
        .slice('cluster:'.length)
        .split(',')
        .map((node) => ({ host: node.split(':')[0], port: Number(node.split(':')[1]) })),
      { redisOptions: { maxRetriesPerRequest: null } },
    )
  : { url: redis };
new Worker(
  name,
  () => {
    process.stdout.write('started\n');
    return new Promise(() => undefined);
  },
  { connection, prefix, lockDuration: 1000, stalledInterval: 1000 },
);
