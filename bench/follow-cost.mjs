// What following jobs costs while nothing happens (issue 19): Redis commands per second,
// Redis CPU and the process's CPU with 1,000 followed jobs waiting (no worker), against
// BullMQ's own events alone (one QueueEvents reader), and with each job's page open (SSE):
// a page's idle cost must stay 0 commands.
//
//   npm run build && node bench/follow-cost.mjs [--quick] [--redis-url=redis://...]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { ensureRedis, hasRedisServerBinary, startPrivateRedis } from '../scripts/redis-env.mjs';
import { sleep } from './lib/clock.mjs';
import { commandDelta, RedisProbe } from './lib/redis-probe.mjs';
import { bootServer } from './lib/spawn-node.mjs';
import { SseConn } from './lib/sse-conn.mjs';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean' }, 'redis-url': { type: 'string' } },
});
const SIZE = args.quick ? { jobs: 200, windowMs: 4_000 } : { jobs: 1_000, windowMs: 20_000 };
const SETTLE_MS = 1_000;

// A private redis-server when there is one: INFO commandstats counts every client.
const redis = args['redis-url']
  ? { url: args['redis-url'], stop: async () => {} }
  : hasRedisServerBinary()
    ? await startPrivateRedis()
    : await ensureRedis();
const probe = new RedisProbe(redis.url);

/** Opens one SSE page per URL; resolves once each has its first event (the job waits). */
function openPages(port, paths) {
  let opened = 0;
  let conns;
  return new Promise((resolve, reject) => {
    conns = paths.map(
      (path) =>
        new SseConn({
          port,
          path,
          onEvent: (conn) => {
            if (conn.first) return;
            conn.first = true;
            if (++opened === paths.length)
              resolve({ close: () => conns.forEach((c) => c.close()) });
          },
          onEnd: (reason) =>
            reason !== 'closed by client' && reject(new Error(`a page ended: ${reason}`)),
        }),
    );
  });
}

/** Commands per second, Redis CPU and the server's CPU over one quiet window. */
async function window(server) {
  await sleep(SETTLE_MS);
  const commands0 = await probe.commandCounts();
  const redisCpu0 = await probe.cpuSeconds();
  const cpu0 = await server.call('cpu');
  await sleep(SIZE.windowMs);
  const cpu1 = await server.call('cpu');
  const commands = commandDelta(commands0, await probe.commandCounts());
  const redisCpu1 = await probe.cpuSeconds();
  const seconds = (cpu1.at - cpu0.at) / 1000;
  return {
    commandsPerSecond: commands.total / seconds,
    byCommand: commands.perCommand,
    redisCpuPercent: ((redisCpu1 - redisCpu0) / seconds) * 100,
    processCpuPercent: ((cpu1.us - cpu0.us) / 1e6 / seconds) * 100,
  };
}

async function scenario(mode, withPages) {
  const run = randomUUID().slice(0, 8);
  const env = {
    KEY_PREFIX: `pluto-rt-bench-follow-${run}:`,
    BULL_PREFIX: `pluto-rt-bench-follow-bull-${run}`,
    QUEUE: 'followed',
  };
  const server = await bootServer(
    new URL('./follow-cost-server.mjs', import.meta.url),
    { MODE: mode, REDIS_URL: redis.url, ...env },
    `follow-cost server (${mode})`,
  );
  const queue = new Queue(env.QUEUE, { connection: { url: redis.url }, prefix: env.BULL_PREFIX });
  let pages;
  try {
    const jobs = await queue.addBulk(
      Array.from({ length: SIZE.jobs }, (_, i) => ({ name: 'waits', data: { i } })),
    );
    if (withPages)
      pages = await openPages(
        server.port,
        await server.call('pages', { ids: jobs.map((j) => j.id) }),
      );
    return await window(server);
  } finally {
    pages?.close();
    await server.stop();
    await queue.obliterate({ force: true });
    await queue.close();
    await probe.deletePrefix(env.KEY_PREFIX);
  }
}

const fmt = (n, digits = 2) => n.toFixed(digits);
try {
  const rows = [
    ['BullMQ QueueEvents alone (N)', await scenario('queue-events', false)],
    [`module, followJobs, ${SIZE.jobs} jobs waiting`, await scenario('follow', false)],
    [`the same, with each job's page open (${SIZE.jobs} SSE)`, await scenario('follow', true)],
  ];
  const base = rows[0][1].commandsPerSecond;
  console.log(`\nFollowing ${SIZE.jobs} waiting jobs, idle, ${SIZE.windowMs / 1000} s window\n`);
  console.log('| process | Redis commands/s | vs N | commands | Redis CPU % | process CPU % |');
  console.log('|---|---|---|---|---|---|');
  for (const [label, r] of rows) {
    const by = Object.entries(r.byCommand)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    const ratio = base > 0 ? `${fmt(r.commandsPerSecond / base)}x` : '-';
    console.log(
      `| ${label} | ${fmt(r.commandsPerSecond)} | ${ratio} | ${by || 'none'} | ${fmt(r.redisCpuPercent)} | ${fmt(r.processCpuPercent)} |`,
    );
  }
  const pagesCost = rows[2][1].commandsPerSecond - rows[1][1].commandsPerSecond;
  console.log(`\nThe pages' own idle cost: ${fmt(pagesCost)} commands/s (target: 0)`);
} finally {
  await probe.redis.quit();
  await redis.stop();
}
