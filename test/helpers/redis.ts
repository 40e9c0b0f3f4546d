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

/** The key of queue `name`'s stream under `prefix`: its own hash tag (see StreamStore.key). */
export function queueKey(prefix: string, name: string): string {
  return `${prefix}{${name}}`;
}

/** The key that remembers that queue `name` started, after its stream expired. */
export function tombstoneKey(prefix: string, name: string): string {
  return `${queueKey(prefix, name)}:started`;
}
