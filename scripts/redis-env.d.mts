// Types of redis-env.mjs, for the TypeScript suites that import it.

/** A Redis the caller may use; `stop` ends it if this process started it. */
export interface RedisHandle {
  url: string;
  stop(): Promise<void>;
  source: 'REDIS_URL' | 'local' | 'private';
}

/** A redis-server this process started (no persistence). */
export interface PrivateRedis {
  url: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

export const HOW_TO_GET_REDIS: string;
export function pingRedis(url: string, timeoutMs?: number): Promise<boolean>;
export function freePort(): Promise<number>;
export function hasRedisServerBinary(): boolean;
export function startPrivateRedis(port?: number): Promise<PrivateRedis>;
export function ensureRedis(): Promise<RedisHandle>;
