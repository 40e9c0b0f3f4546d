// Baseline A's producer: RPUSH of the serialised item onto the queue's list.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

export async function start({ redisUrl, prefix, clientName }) {
  const redis = new Redis(redisUrl, { connectionName: `${clientName}-worker` });
  const key = (name) => `${prefix}${name}`;
  let queues = [];

  async function newQueue() {
    const name = `listqueue_${randomUUID()}`;
    await redis.rpush(key(name), JSON.stringify({ p: 0, t: 0, n: 0 }));
    return name;
  }

  return {
    async createStreams(count) {
      queues = [];
      for (let i = 0; i < count; i += 500) {
        queues.push(
          ...(await Promise.all(Array.from({ length: Math.min(500, count - i) }, newQueue))),
        );
      }
      return { paths: queues.map((name) => `/a/sse/${name}`), expectFirst: 1 };
    },

    push(index, item) {
      return redis.rpush(key(queues[index]), JSON.stringify(item));
    },

    release() {
      queues = [];
    },

    close: () => redis.quit(),
  };
}
