import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/** The Redis the global setup found or started. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of this test's own, so that suites never touch each other's keys (or anyone's). */
export function testPrefix(): string {
  return `pluto-rt-test:${randomUUID()}:`;
}

export function redisClient(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes the keys under `prefix` (never a FLUSHDB: the server may be shared). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Number of connections in CLIENT LIST that carry `name`. */
export async function clientCount(redis: Redis, name: string): Promise<number> {
  const list = (await redis.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}

/** The key of queue `name`'s stream under `prefix`: its own hash tag (see StreamStore.key). */
export function queueKey(prefix: string, name: string): string {
  return `${prefix}{${name}}`;
}

/** The key that remembers that queue `name` started, after its stream expired. */
export function tombstoneKey(prefix: string, name: string): string {
  return `${queueKey(prefix, name)}:started`;
}

/** Subscribers of each channel, sharded and classic together (the module uses one kind). */
export async function subscriberCounts(redis: Redis, channels: string[]): Promise<number[]> {
  const counts = async (kind: 'SHARDNUMSUB' | 'NUMSUB') => {
    const reply = (await redis.call('PUBSUB', kind, ...channels)) as Array<string | number>;
    return reply.filter((_, i) => i % 2 === 1).map(Number);
  };
  const [sharded, classic] = await Promise.all([counts('SHARDNUMSUB'), counts('NUMSUB')]);
  return sharded.map((n, i) => n + classic[i]!);
}

/** Channels each connection named `name` is subscribed to (CLIENT LIST `sub=` plus `ssub=`). */
export async function subscriptionsOf(redis: Redis, name: string): Promise<number[]> {
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .filter((line) => line.includes(` name=${name} `))
    .map(
      (line) => Number(/ sub=(\d+) /.exec(line)?.[1]) + Number(/ ssub=(\d+) /.exec(line)?.[1] ?? 0),
    )
    .sort();
}
