// The measurements. Each takes the run context (client process, Redis probe, a way to start
// a system's server and worker processes) and returns plain figures for the JSON and the
// table. Streams and pushes are the worker's (`worker`), memory and CPU the server's.
import os from 'node:os';
import { sleep } from './clock.mjs';
import { commandDelta } from './redis-probe.mjs';
import { round, summarize } from './stats.mjs';

let phaseSeq = 0;
const nextPhase = () => ++phaseSeq;

/** Connections in CLIENT LIST that belong to the server's system. */
async function connections(ctx, server) {
  return server.call('ownsConnections', { names: await ctx.probe.connectionNames() });
}

/** Every pushed message must arrive: a quick run fails without, a full one says so. */
function checkDelivered(ctx, what, delivered, expected) {
  if (delivered === expected) return;
  const message = `${what}: ${delivered} of ${expected} messages arrived`;
  if (ctx.strict) throw new Error(message);
  ctx.log(`  warning: ${message}`);
}

/** Fails the run when the client saw streams end that it did not close. */
async function assertStreamsHealthy(ctx, what) {
  const status = await ctx.client.call('status');
  if (status.unexpectedEnds > 0) {
    throw new Error(
      `${what}: ${status.unexpectedEnds} stream(s) ended unexpectedly (last: ${status.lastEndReason})`,
    );
  }
  return status;
}

/**
 * Idle streams: memory per stream (RSS growth / streams), Redis commands per second, process
 * CPU and Redis connections, with `small` and then `streams` open streams, one queue each.
 */
export async function idle(ctx, name) {
  const { streams, small, settleMs, windowMs } = ctx.sizes.idle;
  return ctx.withServer(name, 'idle', async ({ server, worker, port }) => {
    const { paths, expectFirst } = await worker.call('createStreams', {
      count: streams,
      producers: false,
    });
    await ctx.client.call('open', { port, paths: paths.slice(0, small), expectFirst });
    await sleep(500);
    const connectionsSmall = await connections(ctx, server);
    await ctx.heapSnapshot?.(server, name, 'idle-before');
    const before = await server.call('stats', { gc: true });
    const opening = await ctx.client.call('open', { port, paths: paths.slice(small), expectFirst });
    await sleep(settleMs);
    const after = await server.call('stats', { gc: true });
    const added = streams - small;

    await ctx.heapSnapshot?.(server, name, 'idle-after');
    // The forced GC leaves sweeping to V8's worker threads for a while: not the streams' cost.
    await sleep(settleMs);
    const commands0 = await ctx.probe.commandCounts();
    const redisCpu0 = await ctx.probe.cpuSeconds();
    const window0 = await server.call('stats');
    const threads0 = await server.call('threads');
    await ctx.profiled(server, name, 'idle', () => sleep(windowMs));
    const threads1 = await server.call('threads');
    const window1 = await server.call('stats');
    const commands1 = await ctx.probe.commandCounts();
    const redisCpu1 = await ctx.probe.cpuSeconds();
    const connectionsLarge = await connections(ctx, server);
    const status = await assertStreamsHealthy(ctx, `idle ${name}`);

    const seconds = (window1.at - window0.at) / 1000;
    const commands = commandDelta(commands0, commands1);
    const cpuMicros = window1.cpu.user + window1.cpu.system - window0.cpu.user - window0.cpu.system;
    return {
      streams,
      small,
      openSeconds: round(opening.ms / 1000, 2),
      openStreams: status.open,
      rssBytesPerStream: round((after.memory.rss - before.memory.rss) / added, 0),
      heapBytesPerStream: round((after.memory.heapUsed - before.memory.heapUsed) / added, 0),
      rssBefore: before.memory.rss,
      rssAfter: after.memory.rss,
      redisCommandsPerSecond: round(commands.total / seconds, 2),
      redisCommands: commands.perCommand,
      redisCpuPercent: round(((redisCpu1 - redisCpu0) / seconds) * 100, 2),
      cpuPercentOfOneCore: round((cpuMicros / 1e6 / seconds) * 100, 3),
      cpuUserSystemMicros: {
        user: window1.cpu.user - window0.cpu.user,
        system: window1.cpu.system - window0.cpu.system,
      },
      cpuPercentByThread: threadShares(threads0, threads1, seconds),
      windowSeconds: round(seconds, 2),
      connectionsSmall,
      connectionsLarge,
    };
  });
}

/**
 * A reconnect storm: `streams` streams opened at once (after a deploy every page reconnects),
 * each on a queue of its own; the time until every one is live: it answered and, on a queue
 * with history, delivered it. The module both ways (history, and queues not started yet);
 * N's streams have no history.
 */
export async function storm(ctx, name) {
  const { streams } = ctx.sizes.storm;
  const variants = name === 'module' || name === 'candidate' ? [true, false] : [false];
  const result = { streams };
  for (const history of variants) {
    await ctx.withServer(name, 'storm', async ({ server, worker, port }) => {
      const { paths, expectFirst } = await worker.call('createStreams', {
        count: streams,
        producers: false,
        history,
      });
      const before = await server.call('stats');
      const redisCpu0 = await ctx.probe.cpuSeconds();
      const label = history ? 'storm-history' : 'storm';
      const opening = await ctx.profiled(server, name, label, () =>
        ctx.client.call('open', { port, paths, expectFirst, concurrency: paths.length }),
      );
      const after = await server.call('stats');
      const redisCpu1 = await ctx.probe.cpuSeconds();
      await assertStreamsHealthy(ctx, `storm ${name}`);
      const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
      const key = history ? 'history' : 'notStarted';
      result[history ? 'historySeconds' : 'seconds'] = round(opening.ms / 1000, 3);
      result[`${key}CpuMicrosPerStream`] = round(cpu / streams, 1);
      result[`${key}RedisCpuMicrosPerStream`] = round(((redisCpu1 - redisCpu0) * 1e6) / streams, 1);
    });
  }
  ctx.log(
    `  storm ${name}: ${streams} streams live in ${result.seconds} s, server CPU ${result.notStartedCpuMicrosPerStream} µs/stream, Redis ${result.notStartedRedisCpuMicrosPerStream} µs/stream` +
      (result.historySeconds === undefined
        ? ''
        : ` (with history: ${result.historySeconds} s, ${result.historyCpuMicrosPerStream} µs/stream, Redis ${result.historyRedisCpuMicrosPerStream} µs/stream)`),
  );
  return result;
}

/** % of one core per thread name between two `threads` answers (ticks of 1/100 s). */
function threadShares(before, after, seconds) {
  if (!before || !after) return undefined;
  const shares = {};
  for (const [name, t] of Object.entries(after)) {
    const b = before[name] ?? { user: 0, system: 0 };
    const ticks = t.user + t.system - b.user - b.system;
    if (ticks > 0) shares[name] = round(ticks / seconds, 2);
  }
  return shares;
}

/** One latency measurement on the streams already open: `rate` items/s per stream. */
async function measureLatency(ctx, worker, { streams, rate, durationMs, warmupMs }) {
  const warmup = nextPhase();
  await ctx.client.call('phase', { p: warmup });
  await worker.call('load', { phase: warmup, rate, durationMs: warmupMs });
  const phase = nextPhase();
  await ctx.client.call('phase', { p: phase, samples: true });
  const pushed = await worker.call('load', { phase, rate, durationMs });
  if (pushed.errors > 0) throw new Error(`pushes failed: ${pushed.lastError}`);
  await ctx.client.call('waitPhase', { p: phase, count: pushed.pushed, timeoutMs: 10_000 });
  await ctx.client.call('takePhase', { p: warmup });
  const got = await ctx.client.call('takePhase', { p: phase });
  checkDelivered(ctx, `latency, ${streams} streams`, got.count, pushed.pushed);
  return {
    streams,
    ratePerStream: rate,
    seconds: round(pushed.ms / 1000, 2),
    pushed: pushed.pushed,
    delivered: got.count,
    latencyMs: summarize(got.samples),
  };
}

/** Latency at each stream count of `sizes.latency.steps` (each stream on its own queue). */
export async function latency(ctx, name, { server, worker, port }) {
  const { steps, warmupMs } = ctx.sizes.latency;
  const results = [];
  for (const { streams, rates, durationMs } of steps) {
    const { paths, expectFirst } = await worker.call('createStreams', { count: streams });
    await ctx.client.call('open', { port, paths, expectFirst });
    for (const rate of rates) {
      const result = await ctx.profiled(server, name, `latency-${streams}x${rate}`, () =>
        measureLatency(ctx, worker, { streams, rate, durationMs, warmupMs }),
      );
      ctx.log(
        `  latency ${name} ${streams} streams x ${rate}/s: p50 ${result.latencyMs?.p50} ms, p99 ${result.latencyMs?.p99} ms, ${result.delivered}/${result.pushed} delivered`,
      );
      results.push(result);
    }
    await assertStreamsHealthy(ctx, `latency ${name}`);
    await ctx.client.call('closeAll');
    await release({ server, worker });
  }
  return results;
}

/** Forgets the streams of a measurement on both sides. */
async function release({ server, worker }) {
  await worker.call('releaseStreams');
  await server.call('release');
}

/** Pushes `messages` as fast as possible into one queue read by `consumers` streams. */
async function pushThrough(ctx, { server, worker, port }, { consumers, messages, window }) {
  const { paths, expectFirst } = await worker.call('createStreams', { count: 1 });
  await ctx.client.call('open', { port, paths: Array(consumers).fill(paths[0]), expectFirst });
  const phase = nextPhase();
  await ctx.client.call('phase', { p: phase });
  const redisCpu0 = await ctx.probe.cpuSeconds();
  const cpu0 = await server.call('stats');
  const client0 = await ctx.client.call('status');
  const burst = await worker.call('burst', { phase, count: messages, window });
  if (burst.errors > 0) throw new Error(`pushes failed: ${burst.lastError}`);
  const expected = messages * consumers;
  const got = await ctx.client.call('waitPhase', { p: phase, count: expected, timeoutMs: 120_000 });
  checkDelivered(ctx, `${consumers} consumer(s)`, got.count, expected);
  const cpu1 = await server.call('stats');
  const client1 = await ctx.client.call('status');
  const redisCpu1 = await ctx.probe.cpuSeconds();
  await ctx.client.call('takePhase', { p: phase });
  await assertStreamsHealthy(ctx, 'throughput');
  await ctx.client.call('closeAll');
  await release({ server, worker });
  const seconds = (got.lastAt - burst.startedAt) / 1000;
  return {
    consumers,
    messages,
    pushWindow: window,
    delivered: got.count,
    expected,
    seconds: round(seconds, 3),
    pushSeconds: round((burst.endedAt - burst.startedAt) / 1000, 3),
    messagesPerSecond: round(got.count / seconds, 0),
    // Busy share of the run, to tell which side bounds it.
    serverCpuPercent: cpuPercent(cpu0, cpu1),
    // The pushing process (the server itself in the in-process row), while it pushed.
    workerCpuPercent: burst.cpuPercent,
    clientCpuPercent: cpuPercent(client0, client1),
    redisCpuPercent: round(((redisCpu1 - redisCpu0) * 1e5) / (cpu1.at - cpu0.at), 1),
  };
}

/** CPU used between two `stats`/`status` answers, in % of one core. */
function cpuPercent(from, to) {
  const micros = to.cpu.user + to.cpu.system - from.cpu.user - from.cpu.system;
  return round(micros / 10 / (to.at - from.at), 1);
}

/** One queue, one consumer: end-to-end messages per second. */
export async function throughput(ctx, name, processes) {
  const { messages, window } = ctx.sizes.throughput;
  const result = await ctx.profiled(processes.server, name, 'throughput', () =>
    pushThrough(ctx, processes, { consumers: 1, messages, window }),
  );
  ctx.log(
    `  throughput ${name}: ${result.messagesPerSecond} msg/s (CPU: server ${result.serverCpuPercent} %, worker ${result.workerCpuPercent} %, client ${result.clientCpuPercent} %, Redis ${result.redisCpuPercent} %)`,
  );
  return result;
}

/** One queue, many consumers: delivered messages per second. */
export async function fanout(ctx, name, processes) {
  const { consumers, messages, window } = ctx.sizes.fanout;
  const result = await ctx.profiled(processes.server, name, 'fanout', () =>
    pushThrough(ctx, processes, { consumers, messages, window }),
  );
  ctx.log(
    `  fan-out ${name}: ${result.messagesPerSecond} delivered msg/s (CPU: server ${result.serverCpuPercent} %, client ${result.clientCpuPercent} %, Redis ${result.redisCpuPercent} %)`,
  );
  return result;
}

/**
 * The producer alone: `count` pushes into one queue from the worker, all sent before any is
 * awaited, no client; pushes per second from the first call to the last reply.
 */
export async function pushrate(ctx, name, { server, worker }) {
  const { count } = ctx.sizes.pushrate;
  await worker.call('createStreams', { count: 1 });
  const redisCpu0 = await ctx.probe.cpuSeconds();
  const burst = await worker.call('burst', { phase: nextPhase(), count, window: count });
  const redisCpu1 = await ctx.probe.cpuSeconds();
  if (burst.errors > 0) throw new Error(`pushes failed: ${burst.lastError}`);
  await release({ server, worker });
  const ms = burst.endedAt - burst.startedAt;
  const result = {
    pushes: count,
    ms: round(ms, 1),
    pushesPerSecond: round((count / ms) * 1000, 0),
    workerCpuPercent: burst.cpuPercent,
    redisCpuPercent: round(((redisCpu1 - redisCpu0) * 1e5) / ms, 1),
  };
  ctx.log(
    `  push rate ${name}: ${count} pushes in ${result.ms} ms, ${result.pushesPerSecond}/s (CPU: worker ${result.workerCpuPercent} %, Redis ${result.redisCpuPercent} %)`,
  );
  return result;
}

/**
 * An empty htmx poll (204): requests per second, and Redis commands per request, both as
 * sent by the process (MONITOR, on a short run of its own since MONITOR slows Redis) and as
 * executed, Lua-internal calls included (INFO commandstats, on the timed run).
 */
export async function poll(ctx, name, { server, worker, port }) {
  const { connections: conns, durationMs, warmupMs } = ctx.sizes.poll;
  const { path, headers } = await worker.call('preparePoll');
  const run = (ms) =>
    ctx.client.call('pollLoad', { port, path, headers, connections: conns, durationMs: ms });
  await run(warmupMs);
  const monitored = await ctx.probe.monitor(() => run(warmupMs));
  const before = await ctx.probe.commandCounts();
  const load = await ctx.profiled(server, name, 'poll', () => run(durationMs));
  const after = await ctx.probe.commandCounts();
  const executed = commandDelta(before, after);
  for (const { statuses } of [load, monitored.result]) {
    if (Object.keys(statuses).some((status) => status !== '204')) {
      throw new Error(`empty poll ${name}: expected only 204, got ${JSON.stringify(statuses)}`);
    }
  }
  const result = {
    connections: conns,
    requests: load.responses,
    seconds: round(load.seconds, 2),
    requestsPerSecond: round(load.perSecond, 0),
    redisCommandsPerRequest: round(monitored.sent / monitored.result.responses, 4),
    redisCommandsSent: monitored.perCommand,
    redisCommandsExecutedPerRequest: round(executed.total / load.responses, 4),
    redisCommandsExecuted: executed.perCommand,
  };
  ctx.log(
    `  poll ${name}: ${result.requestsPerSecond} req/s, ${result.redisCommandsPerRequest} Redis commands sent/request (${result.redisCommandsExecutedPerRequest} executed)`,
  );
  return result;
}

/** Last-Event-ID resume: time from connecting to the last byte of `messages` replayed items. */
export async function replay(ctx, name, { server, worker, port }) {
  const { messages, reps, warmupReps } = ctx.sizes.replay;
  const { path, lastEventId } = await worker.call('prepareReplay', { count: messages });
  const { times } = await ctx.profiled(server, name, 'replay', () =>
    ctx.client.call('replay', {
      port,
      path,
      lastEventId,
      expect: messages,
      reps: reps + warmupReps,
    }),
  );
  const measured = times.slice(warmupReps);
  const summary = summarize(measured);
  ctx.log(`  replay ${name}: median ${summary.p50} ms to the last of ${messages} events`);
  return { messages, reps, timeToLastByteMs: summary };
}

/**
 * A flood of readers: `connections` clients open the SSE URL of a queue holding `items`
 * items of `bytes` (its history, ~10 MB) and never read. Meanwhile `pushes` pushes, one at a
 * time, go to another queue: their latency must not suffer (a catch-up is paged, paced by
 * its client's socket, shared, and bounded per process). Redis's client output buffers
 * are sampled throughout.
 */
export async function flood(ctx, name) {
  const { connections, items, bytes, pushes } = ctx.sizes.flood;
  return ctx.withServer(name, 'flood', async ({ worker, port }) => {
    const { path } = await worker.call('prepareFlood', { count: items, bytes });
    const quiet = await worker.call('timedPushes', { count: pushes });
    let maxOutputBytes = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxOutputBytes = Math.max(maxOutputBytes, await ctx.probe.outputBufferBytes());
        await sleep(20);
      }
    })();
    let during;
    try {
      await ctx.client.call('openUnread', { port, path, count: connections });
      during = await worker.call('timedPushes', { count: pushes });
    } finally {
      sampling = false;
      await sampler;
    }
    const errors = during.filter((r) => r.error !== undefined).length;
    const result = {
      connections,
      historyBytes: items * bytes,
      pushes,
      quietMs: summarize(quiet.map((r) => r.ms)),
      floodMs: summarize(during.map((r) => r.ms)),
      errors,
      maxOutputBytes,
    };
    ctx.log(
      `  flood ${name}: ${connections} unread openers of a ${(result.historyBytes / 2 ** 20).toFixed(0)} MB queue; unrelated pushes p50 ${result.floodMs.p50} ms, max ${result.floodMs.p100} ms (quiet: p50 ${result.quietMs.p50}, max ${result.quietMs.p100}); errors ${errors}; Redis output buffers max ${(maxOutputBytes / 2 ** 20).toFixed(2)} MB`,
    );
    return result;
  });
}

/**
 * Push rejection latency while Redis is away: the module on a Redis of its own. Down: the
 * server is stopped once a queue holds an item; pushes that begin before the client has
 * seen the connection go fail at once, so once it is reconnecting, `pushes` pushes one at a
 * time, then a burst of `burst` together, are each timed to their rejection. Hung: the
 * server is started again, then SIGSTOPped (it keeps its sockets and answers nothing: only
 * slow, as far as a client can tell), and the same pushes are timed. Either way each must
 * reject after commandTimeoutMs, neither later (README: "after at most commandTimeoutMs")
 * nor much sooner (a Redis that is only slow is given its time).
 */
export async function outage(ctx, name) {
  const { commandTimeoutMs, pushes, burst } = ctx.sizes.outage;
  if (!ctx.privateRedis) {
    ctx.log('  outage: skipped (it stops a Redis of its own: needs the redis-server binary)');
    return undefined;
  }
  let redis = await ctx.privateRedis();
  try {
    return await ctx.withServer(
      name,
      'outage',
      async ({ worker }) => {
        await worker.call('createStreams', { count: 1, producers: false });
        const timed = async () => ({
          sequential: await worker.call('timedPushes', { count: pushes }),
          together: await worker.call('timedPushes', { count: burst, concurrency: burst }),
        });
        await redis.stop();
        let down;
        let warmup = 0;
        try {
          // Until the client has seen the connection go, a push fails at once: not the figure.
          const deadline = Date.now() + 10_000;
          for (;;) {
            const [probe] = await worker.call('timedPushes', { count: 1 });
            warmup++;
            if (/not connected within/.test(probe.message ?? '')) break;
            if (Date.now() > deadline)
              throw new Error(`outage ${name}: the client never waited (${probe.message})`);
            await sleep(10);
          }
          down = await timed();
        } finally {
          // The app closes its connections cleanly only with a Redis to say goodbye to.
          redis = await ctx.privateRedis(redis.port);
        }
        // Connected again (a push goes through), then hung.
        const back = Date.now() + 10_000;
        while ((await worker.call('timedPushes', { count: 1 }))[0].error !== undefined) {
          if (Date.now() > back) throw new Error(`outage ${name}: pushes fail after the restart`);
          await sleep(20);
        }
        process.kill(redis.pid, 'SIGSTOP');
        let hung;
        try {
          hung = await timed();
        } finally {
          process.kill(redis.pid, 'SIGCONT');
        }
        const errors = {};
        const all = [down, hung].flatMap((phase) => [...phase.sequential, ...phase.together]);
        for (const { error } of all) {
          const key = error ?? 'none (the push succeeded)';
          errors[key] = (errors[key] ?? 0) + 1;
        }
        const figures = (phase) => ({
          sequentialMs: summarize(phase.sequential.map((r) => r.ms)),
          burstMs: summarize(phase.together.map((r) => r.ms)),
        });
        const result = {
          commandTimeoutMs,
          pushes,
          burst,
          warmupPushes: warmup,
          errors,
          ...figures(down),
          hung: figures(hung),
        };
        const line = (f) =>
          `${pushes} pushes one at a time min ${f.sequentialMs.p0} p50 ${f.sequentialMs.p50} max ${f.sequentialMs.p100} ms; burst of ${burst} min ${f.burstMs.p0} max ${f.burstMs.p100} ms`;
        ctx.log(
          `  outage ${name} (commandTimeoutMs ${commandTimeoutMs}): down: ${line(result)}; hung: ${line(result.hung)}; errors ${JSON.stringify(errors)}`,
        );
        return result;
      },
      { redisUrl: redis.url, commandTimeoutMs },
    );
  } finally {
    await redis.stop();
  }
}

/**
 * Pages that follow several queues: `pages` pages of `perPage` queues each, opened as one
 * group connection per page, then (on a fresh server) as `perPage` single-queue connections
 * per page. For each: memory per page (RSS growth / pages), process CPU while idle
 * (keepalives included), sockets held, and push-to-client latency at `rate` msg/s per queue.
 */
export async function group(ctx, name) {
  const { pages, perPage, settleMs, windowMs, latency: load } = ctx.sizes.group;
  const result = { pages, perPage };
  for (const variant of ['group', 'single']) {
    result[variant] = await ctx.withServer(name, 'group', async ({ server, worker, port }) => {
      const { paths, expectFirst } =
        variant === 'group'
          ? await worker.call('createGroups', { pages, perPage })
          : await worker.call('createStreams', { count: pages * perPage, producers: false });
      const before = await server.call('stats', { gc: true });
      const opening = await ctx.client.call('open', { port, paths, expectFirst });
      await sleep(settleMs);
      const after = await server.call('stats', { gc: true });
      await sleep(settleMs); // let V8's sweeper threads finish (see idle)
      const window0 = await server.call('stats');
      await ctx.profiled(server, name, `group-${variant}-idle`, () => sleep(windowMs));
      const window1 = await server.call('stats');
      const status = await assertStreamsHealthy(ctx, `group ${variant} ${name}`);
      const latency = await ctx.profiled(server, name, `group-${variant}-latency`, () =>
        measureLatency(ctx, worker, { streams: pages * perPage, ...load }),
      );
      const seconds = (window1.at - window0.at) / 1000;
      const cpuMicros =
        window1.cpu.user + window1.cpu.system - window0.cpu.user - window0.cpu.system;
      const figures = {
        connections: status.open,
        openSeconds: round(opening.ms / 1000, 2),
        rssBytesPerPage: round((after.memory.rss - before.memory.rss) / pages, 0),
        heapBytesPerPage: round((after.memory.heapUsed - before.memory.heapUsed) / pages, 0),
        cpuPercentOfOneCore: round((cpuMicros / 1e6 / seconds) * 100, 3),
        windowSeconds: round(seconds, 2),
        ratePerQueue: load.rate,
        pushed: latency.pushed,
        delivered: latency.delivered,
        latencyMs: latency.latencyMs,
      };
      ctx.log(
        `  ${variant === 'group' ? 'one group connection' : `${perPage} single connections`} per page: ${(figures.rssBytesPerPage / 1024).toFixed(1)} KB/page, ${figures.cpuPercentOfOneCore} % CPU idle, p50 ${latency.latencyMs?.p50} ms, p99 ${latency.latencyMs?.p99} ms (${figures.connections} connections)`,
      );
      await ctx.client.call('closeAll');
      await release({ server, worker });
      return figures;
    });
  }
  return result;
}

export function machineLoad() {
  return { loadavg: os.loadavg().map((v) => round(v, 2)), at: new Date().toISOString() };
}
