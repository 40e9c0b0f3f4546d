// node bench/tools/push-cost.mjs [pushes=20000] [--dist=/path/to/dist]
// What one push costs inside Redis: on a private redis-server, `pushes` pushes into one queue
// through the module's producer (a Nest application context, as a worker runs it), then the
// same through BullMQ's job.updateProgress; INFO commandstats after each: calls and
// usec_per_call of the script and of every command it runs, and the wall time.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../../scripts/redis-env.mjs';

const { values, positionals } = parseArgs({
  options: { dist: { type: 'string' } },
  allowPositionals: true,
});
if (values.dist) process.env.BENCH_MODULE_DIST = values.dist;
const pushes = Number(positionals[0] ?? 20_000);
const redis = await startPrivateRedis();
const probe = new Redis(redis.url);
const options = { redisUrl: redis.url, prefix: 'cost:', clientName: 'cost', keepaliveMs: 10_000 };

async function measure(label, system) {
  const { start } = await import(`../producers/${system}.mjs`);
  const producer = await start(options);
  await producer.createStreams(1);
  await probe.config('RESETSTAT');
  const started = performance.now();
  await Promise.all(Array.from({ length: pushes }, (_, n) => producer.push(0, { p: 1, t: 0, n })));
  const ms = performance.now() - started;
  const info = await probe.info('commandstats');
  await producer.close();
  console.log(
    `\n${label}: ${pushes} pushes in ${ms.toFixed(0)} ms (${((pushes / ms) * 1000).toFixed(0)}/s)`,
  );
  let total = 0;
  for (const [, name, calls, usec, perCall] of info.matchAll(
    /^cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/gm,
  )) {
    if (['config|resetstat', 'info'].includes(name)) continue;
    console.log(
      `${name.padEnd(16)} calls ${calls.padStart(7)}  usec/call ${perCall.padStart(6)}  per push ${(Number(usec) / pushes).toFixed(2).padStart(6)} us`,
    );
    // A script's time includes that of the commands it runs: count the top level only.
    if (/^(evalsha|eval|rpush)$/.test(name)) total += Number(usec);
  }
  console.log(`Redis time per push (top-level commands): ${(total / pushes).toFixed(2)} us`);
}

try {
  await measure('nestjs-pluto-rt push', 'module-producer');
  await measure('N: BullMQ job.updateProgress', 'n-bullmq-worker');
} finally {
  await probe.quit();
  await redis.stop();
}
process.exit(0);
