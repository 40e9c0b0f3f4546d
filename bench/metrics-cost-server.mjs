// The app under test of bench/metrics-cost.mjs, in a process of its own: the built package
// with the `metrics` option off or on (METRICS=0|1), and what the parent asks of it over IPC.
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { PlutoRtModule, RtQueueService } from 'nestjs-pluto-rt';
import { bootNest } from './lib/nest-app.mjs';
import { serveRpc } from './lib/rpc.mjs';

const metricsOn = process.env.METRICS === '1';
const registry = new Registry();
let app;
let rt;
let cpuAtStart;

/** Boots the app; its port. */
async function boot() {
  const booted = await bootNest(
    {
      imports: [
        PlutoRtModule.forRoot({
          redis: { url: process.env.REDIS_URL },
          secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
          keyPrefix: process.env.KEY_PREFIX,
          clientName: 'pluto-rt-bench-metrics',
          templatesDir: fileURLToPath(new URL('./views', import.meta.url)),
          maxStreams: 100_000,
          maxMessages: 1_000_000,
          commandTimeoutMs: 30_000,
          ...(metricsOn ? { metrics: { registry } } : {}),
        }),
      ],
    },
    'MetricsCostApp',
  );
  app = booted.app;
  rt = app.get(RtQueueService);
  return booted.port;
}

/** Pushes `count` items onto queue `name`, `concurrency` at a time; server CPU and wall time. */
async function push(name, count, concurrency) {
  const queue = rt.get(name);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await queue.push({ p: 1, t: Date.now(), n: next++ });
    }),
  );
  const { user, system } = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuUs: user + system };
}

serveRpc({
  boot,
  async queue() {
    const name = rt.createQueueName('bench');
    await rt.get(name).push({ p: 0, t: 0, n: 0 });
    return { name, sse: rt.rtUrls(name, { itemTemplate: 'pluto_rt/bench_item' }).sse };
  },
  push: ({ name, count, concurrency }) => push(name, count, concurrency),
  cpuStart: () => {
    cpuAtStart = process.cpuUsage();
  },
  cpuEnd: () => {
    const { user, system } = process.cpuUsage(cpuAtStart);
    return user + system;
  },
  scrape: () => (metricsOn ? registry.metrics() : ''),
  async exit() {
    await app.close();
    setImmediate(() => process.exit(0));
  },
});
