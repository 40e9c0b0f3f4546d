// npm run bench [-- --quick] [--only=module,inproc,A,N,C,D]
//                 [--scenarios=idle,storm,flood,latency,throughput,fanout,pushrate,poll,replay,outage,group,browser]
//                 [--profile=module,N] [--heap-snapshot] [--size idle.streams=2000]
//                 [--candidate=/path/to/other/dist] [--out=name] [--redis-url=redis://…]
//                 [--listen-backlog=4096]
// --server-node-arg=--trace-gc (repeatable) passes flags to the server processes' node.
// --listen-backlog sets the listen backlog of every Nest app (Node's default is 511; the kernel caps
// it at net.core.somaxconn): a reconnect storm overflows the default, and the dropped SYNs
// come back after 1, 3, 7 s, so its time varies by whole seconds from run to run.
// --candidate measures a second build of the library (e.g. a proposed patch, built to its own
// dist/) beside the module, in the same run.
// Measures the module against baselines A (Pluto-RT design), N (Nest @Sse() + BullMQ
// QueueEvents: what a NestJS user would write instead), C (raw node:http ceiling) and D (the
// Nest @Sse() floor) in one run, each as three processes: its web server, a worker that pushes
// and the clients; `inproc` is the module with pushes from its web process. Prints a markdown
// table with ratios to N and D, writes bench/results/<mode>.json and an SVG chart of latency
// versus open streams. Exits non-zero only if the harness breaks.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureRedis, hasRedisServerBinary, startPrivateRedis } from '../scripts/redis-env.mjs';
import { watchMachineShare } from './lib/machine-share.mjs';
import { RedisProbe } from './lib/redis-probe.mjs';
import { browserBurst } from './lib/browser-burst.mjs';
import { buildRows, latencySeries, markdownTable, SYSTEM_LABELS } from './lib/report.mjs';
import * as scenarios from './lib/scenarios.mjs';
import { FULL, QUICK } from './lib/sizes.mjs';
import { spawnNode } from './lib/spawn-node.mjs';
import { latencyChart } from './lib/svg-chart.mjs';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', default: 'module,inproc,A,N,C,D' },
    scenarios: {
      type: 'string',
      default: 'idle,storm,flood,latency,throughput,fanout,pushrate,poll,replay,outage,group,browser',
    },
    profile: { type: 'string', default: '' },
    'heap-snapshot': { type: 'boolean', default: false },
    'profile-dir': { type: 'string' },
    size: { type: 'string', multiple: true, default: [] },
    candidate: { type: 'string' },
    out: { type: 'string' },
    'server-node-arg': { type: 'string', multiple: true, default: [] },
    'redis-url': { type: 'string' },
    'listen-backlog': { type: 'string' },
  },
});

const mode = args.quick ? 'quick' : 'full';
/**
 * Base of the result files' paths (<base>.json, .md, -latency.svg): bench/results/<out>, or
 * `--out` itself when it is a path (a development run kept out of the repository).
 */
const out = args.out ?? mode;
const sizes = structuredClone(args.quick ? QUICK : FULL);
// --size idle.streams=2000 (repeatable): a smaller or bigger run while developing.
for (const setting of args.size) {
  const [path, value] = setting.split('=');
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce((node, key) => node[key], sizes);
  parent[keys.at(-1)] = JSON.parse(value);
}
// The servers' Nest apps read it (bench/lib/nest-app.mjs); they inherit this environment.
if (args['listen-backlog']) process.env.BENCH_LISTEN_BACKLOG = args['listen-backlog'];
const only = new Set(args.only.split(','));
if (args.candidate) only.add('candidate');
const wanted = new Set(args.scenarios.split(','));
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const outBase = out.includes('/') ? resolve(out) : here(`./results/${out}`);
// Profiles are big and machine-specific: outside the repository unless told otherwise.
const profileDir = `${args['profile-dir'] ?? `${os.tmpdir()}/pluto-rt-bench-profiles`}/`;
const runId = randomBytes(4).toString('hex');
const runPrefix = `pluto-rt-bench:${runId}:`;
const log = (line) => console.log(line);

/** Which systems each scenario measures (the issue's table); a candidate build goes with the module. */
const PLAN = [
  ['idle', ['module', 'candidate', 'A', 'N', 'C', 'D']],
  // Every page reconnects at once (a deploy): all live within N's time.
  ['storm', ['module', 'candidate', 'N', 'D']],
  // Readers that open a long history and never read: other jobs' pushes go on.
  ['flood', ['module', 'candidate']],
  ['latency', ['module', 'candidate', 'inproc', 'A', 'N', 'C', 'D']],
  ['throughput', ['module', 'candidate', 'inproc', 'N', 'C', 'D']],
  ['fanout', ['module', 'candidate', 'N', 'C', 'D']],
  // The producers alone, no client: BullMQ's updateProgress is the figure to beat.
  ['pushrate', ['module', 'candidate', 'A', 'N']],
  // D's poll is its empty Nest route: the framework's own request rate.
  ['poll', ['module', 'candidate', 'C', 'D']],
  ['replay', ['module', 'candidate', 'C']],
  // Stops a Redis of its own: the module's promise about pushes during an outage.
  ['outage', ['module', 'candidate']],
  // Pages that follow 8 queues: one group connection each against 8 single ones.
  ['group', ['module', 'candidate']],
  // A page in Chromium (both htmx majors) while a job pushes 5,000 items without waiting.
  ['browser', ['module']],
];
const ORDER = ['module', 'candidate', 'inproc', 'A', 'N', 'C', 'D'];
const ACTIVE = ['latency', 'throughput', 'fanout', 'pushrate', 'poll', 'replay'];

/**
 * A Redis of the bench's own when possible: INFO commandstats counts every client of the
 * server, so a shared one (other apps, other test runs) would blur the command figures.
 */
async function chooseRedis() {
  const given = args['redis-url'] ?? process.env.BENCH_REDIS_URL;
  if (given)
    return { url: given, stop: async () => {}, source: 'given (--redis-url / BENCH_REDIS_URL)' };
  if (hasRedisServerBinary()) {
    const server = await startPrivateRedis();
    return { url: server.url, stop: server.stop, source: 'private redis-server' };
  }
  const found = await ensureRedis();
  log(
    `warning: no redis-server binary; using ${found.url}: command counts include its other clients`,
  );
  return { ...found, source: `${found.source} (shared)` };
}

async function main() {
  const started = Date.now();
  const machineShare = watchMachineShare();
  const redis = await chooseRedis();
  const probe = new RedisProbe(redis.url);
  const client = await spawnNode(here('./client.mjs'), {
    label: 'client',
    nodeArgs: ['--max-old-space-size=4096'],
  });
  const results = {
    mode,
    runId,
    sizes,
    candidate: args.candidate ? resolve(args.candidate) : undefined,
    meta: {
      date: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      redis: {
        source: redis.source,
        version: (await probe.redis.info('server')).match(/redis_version:(\S+)/)?.[1],
      },
      commit: gitCommit(),
      listenBacklog: Number(args['listen-backlog'] ?? 511),
      fdLimit: { client: client.nofile },
      loadBefore: scenarios.machineLoad(),
    },
  };
  let serverSeq = 0;

  /**
   * Runs `fn` against a fresh server process for `system`, then cleans up after it.
   * `overrides` replace boot options (another Redis, a commandTimeoutMs).
   */
  async function withServer(system, purpose, fn, overrides = {}) {
    const prefix = `${runPrefix}${system}${++serverSeq}:`;
    const nodeArgs = ['--expose-gc', ...args['server-node-arg']];
    const env = system === 'candidate' ? { BENCH_MODULE_DIST: resolve(args.candidate) } : {};
    const server = await spawnNode(here('./server.mjs'), {
      label: `server ${system}`,
      nodeArgs,
      env,
    });
    // Pushes come from a worker process of their own, except in the in-process row.
    const worker =
      system === 'inproc'
        ? server
        : await spawnNode(here('./worker.mjs'), { label: `worker ${system}`, env });
    const needed =
      purpose === 'idle'
        ? sizes.idle.streams
        : purpose === 'storm'
          ? sizes.storm.streams
          : purpose === 'flood'
            ? sizes.flood.connections
            : purpose === 'group'
              ? sizes.group.pages * sizes.group.perPage
              : sizes.fanout.consumers;
    for (const [who, nofile] of [
      ['client', client.nofile],
      ['server', server.nofile],
    ]) {
      if (nofile && nofile < needed + 500)
        throw new Error(
          `the ${who} process may open only ${nofile} files; ${needed} streams need more (raise ulimit -Hn)`,
        );
    }
    try {
      const options = {
        redisUrl: redis.url,
        prefix,
        clientName: `pluto-rt-bench-${runId}-${system}`,
        keepaliveMs: sizes.keepaliveMs,
        ...overrides,
      };
      const { port, feedPort } = await server.call('boot', { name: system, options });
      if (worker !== server) {
        await worker.call('boot', {
          name: system,
          options: { ...options, clientName: `${options.clientName}-worker`, feedPort },
        });
      }
      return await fn({ server, worker, port });
    } finally {
      await client.call('closeAll').catch(() => undefined);
      if (worker !== server) {
        await worker
          .call('close')
          .catch((err) => log(`warning: closing ${system}'s worker: ${err.message}`));
        await worker.stop();
      }
      await server.call('close').catch((err) => log(`warning: closing ${system}: ${err.message}`));
      await server.stop();
      await probe.deletePrefix(prefix);
    }
  }

  const profiles = new Set(args.profile.split(',').filter(Boolean));
  const ctx = {
    client,
    probe,
    sizes,
    log,
    withServer,
    /** A throwaway redis-server (on `port` if given), for a measurement that stops it. */
    privateRedis: hasRedisServerBinary() ? (port) => startPrivateRedis(port) : undefined,
    // A quick run exists to prove the harness works: lost or late messages fail it.
    strict: args.quick,
    /** Runs `fn`, CPU-profiling the server meanwhile when --profile names its system. */
    async profiled(server, system, label, fn) {
      if (!profiles.has(system)) return fn();
      mkdirSync(profileDir, { recursive: true });
      await server.call('profileStart');
      try {
        return await fn();
      } finally {
        const file = `${profileDir}${system}-${label}.cpuprofile`;
        await server.call('profileStop', { file });
        log(`  profile: ${file}`);
      }
    },
    /** With --heap-snapshot, a heap snapshot of the server with its idle streams open. */
    heapSnapshot: args['heap-snapshot']
      ? async (server, system, label) => {
          mkdirSync(profileDir, { recursive: true });
          const { file } = await server.call('heapSnapshot', {
            file: `${profileDir}${system}-${label}.heapsnapshot`,
          });
          log(`  heap snapshot: ${file}`);
        }
      : undefined,
  };
  try {
    for (const [scenario, systems] of PLAN) {
      if (scenario !== 'idle' || !wanted.has('idle')) continue;
      for (const system of systems.filter((s) => only.has(s))) {
        log(`idle ${SYSTEM_LABELS[system]}: ${sizes.idle.streams} streams`);
        (results.idle ??= {})[system] = await scenarios.idle(ctx, system);
        const r = results.idle[system];
        log(
          `  ${r.redisCommandsPerSecond} Redis cmd/s, ${r.cpuPercentOfOneCore} % CPU, ${(r.rssBytesPerStream / 1024).toFixed(1)} KB/stream, connections ${r.connectionsSmall}/${r.connectionsLarge}`,
        );
      }
    }
    for (const system of ORDER.filter((s) => only.has(s))) {
      const todo = PLAN.filter(
        ([scenario, systems]) =>
          ACTIVE.includes(scenario) && wanted.has(scenario) && systems.includes(system),
      );
      if (todo.length === 0) continue;
      log(`active ${SYSTEM_LABELS[system]}: ${todo.map(([s]) => s).join(', ')}`);
      await withServer(system, 'active', async (processes) => {
        for (const [scenario] of todo) {
          (results[scenario] ??= {})[system] = await scenarios[scenario](ctx, system, processes);
        }
      });
    }
    for (const system of ORDER.filter((s) => only.has(s))) {
      if (!wanted.has('storm') || !PLAN.find(([s]) => s === 'storm')[1].includes(system)) continue;
      log(`storm ${SYSTEM_LABELS[system]}: ${sizes.storm.streams} streams opened at once`);
      (results.storm ??= {})[system] = await scenarios.storm(ctx, system);
    }
    for (const system of ORDER.filter((s) => only.has(s))) {
      if (!wanted.has('flood') || !PLAN.find(([s]) => s === 'flood')[1].includes(system)) continue;
      log(
        `flood ${SYSTEM_LABELS[system]}: ${sizes.flood.connections} unread openers of a long history`,
      );
      (results.flood ??= {})[system] = await scenarios.flood(ctx, system);
    }
    for (const system of ORDER.filter((s) => only.has(s))) {
      if (!wanted.has('group') || !PLAN.find(([s]) => s === 'group')[1].includes(system)) continue;
      const { pages, perPage } = sizes.group;
      log(`group ${SYSTEM_LABELS[system]}: ${pages} pages x ${perPage} queues`);
      (results.group ??= {})[system] = await scenarios.group(ctx, system);
    }
    if (wanted.has('browser') && only.has('module')) {
      const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
      if (!existsSync(chromiumPath)) log(`browser: skipped, no Chromium at ${chromiumPath}`);
      else {
        log(`browser ${SYSTEM_LABELS.module}: ${sizes.browser.items} items into a page, htmx 2 and 4`);
        results.browser = { module: await browserBurst(ctx, redis.url, `${runPrefix}browser:`) };
      }
    }
    for (const system of ORDER.filter((s) => only.has(s))) {
      if (!wanted.has('outage') || !PLAN.find(([s]) => s === 'outage')[1].includes(system))
        continue;
      log(`outage ${SYSTEM_LABELS[system]}: pushes while its Redis is down`);
      const result = await scenarios.outage(ctx, system);
      if (result) (results.outage ??= {})[system] = result;
    }
  } finally {
    results.meta.loadAfter = scenarios.machineLoad();
    results.meta.seconds = Math.round((Date.now() - started) / 1000);
    await client.stop();
    await probe.deletePrefix(runPrefix).catch(() => undefined);
    await probe.close();
    await redis.stop();
    // Children are reaped by now, so their CPU time counts as the bench's.
    results.meta.cpuShare = machineShare();
  }

  const met = (rows) =>
    rows.map((row) => ({
      figure: row.figure,
      cells: row.cells,
      target: row.target,
      met: row.checks.every((c) => c.ok),
      checks: row.checks,
      // subject / N and subject / D (numbers, or per percentile for latency).
      ratioToN: row.toN,
      ratioToD: row.toD,
      ownBytesPerStream: row.ownBytesPerStream,
    }));
  results.table = met(buildRows(results, 'module'));
  if (args.candidate) results.candidateTable = met(buildRows(results, 'candidate'));
  const table = markdownTable(results);
  mkdirSync(dirname(outBase), { recursive: true });
  writeFileSync(`${outBase}.json`, `${JSON.stringify(results, null, 2)}\n`);
  const series = latencySeries(results);
  if (series.length > 0) {
    const rate = sizes.latency.steps[0].rates[0];
    const svg = latencyChart({
      title: 'Push-to-client latency vs open streams (p50 solid, p99 dashed)',
      subtitle: `${rate} msg/s per queue; ${results.meta.cpus} cores, ${mode} run of ${results.meta.date.slice(0, 10)}`,
      series,
    });
    writeFileSync(`${outBase}-latency.svg`, svg);
  }
  const meta = results.meta;
  const about = [
    `${mode} run of ${meta.date} (commit ${meta.commit ?? '?'}): ${meta.cpus} × ${meta.cpuModel}, ${meta.memoryGb} GB, Node ${meta.node}, Redis ${meta.redis.version} (${meta.redis.source}); listen backlog ${meta.listenBacklog}.`,
    `Machine load (1/5/15 min) ${meta.loadBefore.loadavg.join(' / ')} before, ${meta.loadAfter.loadavg.join(' / ')} after; ${meta.seconds} s.`,
    meta.cpuShare &&
      `During the run, other processes used ${meta.cpuShare.otherCores} of the ${meta.cpus} cores on average (the bench: ${meta.cpuShare.benchCores}).`,
    meta.cpuShare?.otherCores > 0.25 &&
      '**The machine was shared during this run: figures that need CPU (latency tails, throughput) are lower than on an idle machine.**',
  ]
    .filter(Boolean)
    .join('\n');
  writeFileSync(`${outBase}.md`, `${about}\n\n${table}\n`);
  log(`\n${table}\n`);
  log(about);
  log(`wrote ${outBase}.json, .md${series.length > 0 ? ' and -latency.svg' : ''}`);
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
