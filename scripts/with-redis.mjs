// Usage: node scripts/with-redis.mjs -- <command...>
// Runs the command with REDIS_URL pointing at a reachable Redis (see redis-env.mjs), or as
// it is when REDIS_CLUSTER_NODES names a Redis Cluster.
import { spawn } from 'node:child_process';
import { ensureRedis } from './redis-env.mjs';

const args = process.argv.slice(process.argv.indexOf('--') + 1);
let redis;
try {
  redis = process.env.REDIS_CLUSTER_NODES
    ? { url: process.env.REDIS_URL ?? '', stop: async () => {}, source: 'cluster' }
    : await ensureRedis();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
if (redis.source === 'private') console.log(`nestjs-pluto-rt: started a private redis-server at ${redis.url}`);

const child = spawn(args[0], args.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, REDIS_URL: redis.url },
});
// The child gets the terminal's signals itself; forward those sent to us alone (kill <pid>).
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', async (code, signal) => {
  await redis.stop();
  process.exit(code ?? (signal ? 128 : 1));
});
