// What the `metrics` option costs: push rate and delivered-events throughput with metrics off
// and on, each in a fresh server process (bench/metrics-cost-server.mjs), the clients here.
// Rounds alternate off/on so that a noisy neighbour hits both alike; the table shows each
// round and the medians.
//
//   npm run build && node bench/metrics-cost.mjs [--quick] [--redis-url=redis://...]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { ensureRedis, hasRedisServerBinary, startPrivateRedis } from '../scripts/redis-env.mjs';
import { bootServer } from './lib/spawn-node.mjs';
import { SseConn } from './lib/sse-conn.mjs';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean' }, 'redis-url': { type: 'string' } },
});
const SIZE = args.quick
  ? { rounds: 2, pushes: 3_000, streams: 100, items: 200 }
  : { rounds: 5, pushes: 20_000, streams: 500, items: 500 };
const CONCURRENCY = 16;

// A private redis-server when there is one: the shared 6379 carries other people's load.
const redis = args['redis-url']
  ? { url: args['redis-url'], stop: async () => {} }
  : hasRedisServerBinary()
    ? await startPrivateRedis()
    : await ensureRedis();
const keyPrefix = `pluto-rt-bench-metrics-${randomUUID().slice(0, 8)}:`;

const ITEM = /<li class="item"/g;

/** Opens `count` SSE clients on `path`; resolves once all have their first event. */
async function openStreams(port, path, count) {
  const conns = [];
  let opened = 0;
  let delivered = 0;
  let allOpen;
  const open = new Promise((resolve) => (allOpen = resolve));
  let onDelivered = () => {};
  for (let i = 0; i < count; i++) {
    conns.push(
      new SseConn({
        port,
        path,
        onEvent: (conn, type, data) => {
          if (type !== 'message') return;
          if (conn.seen === undefined) {
            conn.seen = 0;
            if (++opened === count) allOpen();
            return; // the queue's first item, pushed before the measurement
          }
          // A burst comes merged: one event, several items (bench_item.hbs: one <li> each).
          const items = data.match(ITEM)?.length ?? 0;
          conn.seen += items;
          delivered += items;
          onDelivered(delivered);
        },
      }),
    );
  }
  await open;
  return {
    until: (n) => new Promise((resolve) => (onDelivered = (d) => d >= n && resolve())),
    close: () => conns.forEach((c) => c.close()),
  };
}

async function round(metrics) {
  const server = await bootServer(
    new URL('./metrics-cost-server.mjs', import.meta.url),
    { METRICS: metrics ? '1' : '0', REDIS_URL: redis.url, KEY_PREFIX: keyPrefix },
    `metrics-cost server (metrics ${metrics ? 'on' : 'off'})`,
  );
  const port = server.port;
  try {
    // Push rate: no stream open, CONCURRENCY pushes in flight.
    const plain = await server.call('queue');
    const pushed = await server.call('push', {
      name: plain.name,
      count: SIZE.pushes,
      concurrency: CONCURRENCY,
    });

    // Delivery: SIZE.streams clients on one queue, SIZE.items pushed, until all have all.
    const fan = await server.call('queue');
    const streams = await openStreams(port, fan.sse, SIZE.streams);
    const total = SIZE.streams * SIZE.items;
    const all = streams.until(total);
    await server.call('cpuStart');
    const started = performance.now();
    await server.call('push', { name: fan.name, count: SIZE.items, concurrency: CONCURRENCY });
    await all;
    const deliveryMs = performance.now() - started;
    const deliveryCpuUs = await server.call('cpuEnd');
    streams.close();
    const scraped = await server.call('scrape');
    if (metrics) {
      const sse = /pluto_rt_delivered_events_total\{transport="sse"\} (\d+)/.exec(scraped)?.[1];
      // The first item of each stream is delivered too (before the clock starts).
      if (Number(sse) !== total + SIZE.streams)
        throw new Error(
          `metrics say ${sse} delivered, the clients counted ${total + SIZE.streams}`,
        );
    }
    return {
      metrics: metrics ? 'on' : 'off',
      pushPerSec: (SIZE.pushes / pushed.ms) * 1000,
      pushCpuUs: pushed.cpuUs / SIZE.pushes,
      eventsPerSec: (total / deliveryMs) * 1000,
      eventCpuUs: deliveryCpuUs / total,
    };
  } finally {
    await server.stop();
  }
}

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? (sorted[mid - 1] + sorted[mid]) / 2 : sorted[Math.floor(mid)];
};
const rows = [];
try {
  for (let r = 0; r < SIZE.rounds; r++) {
    for (const metrics of r % 2 === 0 ? [false, true] : [true, false])
      rows.push(await round(metrics));
  }
} finally {
  const cleanup = new Redis(redis.url);
  let cursor = '0';
  do {
    const [next, keys] = await cleanup.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await cleanup.del(...keys);
  } while (cursor !== '0');
  await cleanup.quit();
  await redis.stop();
}

const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const line = (r) =>
  `| ${r.metrics.padEnd(10)} | ${fmt(r.pushPerSec).padStart(8)} | ${fmt(r.pushCpuUs, 1).padStart(13)} | ${fmt(r.eventsPerSec).padStart(12)} | ${fmt(r.eventCpuUs, 2).padStart(14)} |`;
console.log(
  `\nmetrics cost (${args.quick ? 'quick' : 'full'}): ${SIZE.pushes} pushes, ${CONCURRENCY} in flight; ${SIZE.streams} SSE streams x ${SIZE.items} items\n`,
);
console.log('| metrics | pushes/s | server CPU µs/push | delivered/s | server CPU µs/event |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(line(r));
for (const metrics of ['off', 'on']) {
  const mine = rows.filter((r) => r.metrics === metrics);
  const m = (key) => median(mine.map((r) => r[key]));
  const keys = ['pushPerSec', 'pushCpuUs', 'eventsPerSec', 'eventCpuUs'];
  console.log(
    line({ metrics: `median ${metrics}`, ...Object.fromEntries(keys.map((k) => [k, m(k)])) }),
  );
}
