// Finds or starts the Redis the suites talk to, and hands its URL to them through REDIS_URL.
import { ensureRedis } from '../../scripts/redis-env.mjs';

export default async function globalSetup() {
  let redis;
  try {
    redis = await ensureRedis();
  } catch (err) {
    console.error(`\n${err.message}\n`);
    process.exit(1);
  }
  if (redis.source === 'private')
    console.log(`\nnestjs-pluto-rt: started a private redis-server at ${redis.url}`);
  process.env.REDIS_URL = redis.url;
  globalThis.__PLUTO_RT_REDIS__ = redis;
}
