// The server process: runs one system (the module, or baseline A, B or C), pushes items
// into it on command, and reports its own memory and CPU. Driven by run.mjs over IPC.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { nowMs, sleep } from './lib/clock.mjs';
import { serveRpc } from './lib/rpc.mjs';

const SYSTEMS = {
  module: './systems/module-app.mjs',
  A: './baselines/a-pluto-rt-design.mjs',
  B: './baselines/b-bullmq-progress.mjs',
  C: './baselines/c-raw-sse.mjs',
};

let system;
let streamCount = 0;
let profiler;

/** Calls `system.push`, counting pushes that settle; sync pushes (C) count at once. */
function tracker() {
  const state = {
    sent: 0,
    done: 0,
    errors: 0,
    lastError: undefined,
    inFlight: 0,
    onSettle: undefined,
  };
  const settle = (err) => {
    state.inFlight--;
    if (err) {
      state.errors++;
      state.lastError = String(err?.message ?? err);
    } else state.done++;
    state.onSettle?.();
  };
  state.push = (index, item) => {
    state.sent++;
    const result = system.push(index, item);
    if (result && typeof result.then === 'function') {
      state.inFlight++;
      result.then(() => settle(), settle);
    } else state.done++;
  };
  state.drain = () =>
    new Promise((resolve) => {
      if (state.inFlight === 0) return resolve();
      state.onSettle = () => {
        if (state.inFlight === 0) resolve();
      };
    });
  return state;
}

serveRpc({
  async boot({ name, options }) {
    const { start } = await import(SYSTEMS[name]);
    system = await start(options);
    return { port: system.port };
  },

  async createStreams({ count, producers = true }) {
    const created = await system.createStreams(count, { producers });
    streamCount = count;
    return created;
  },

  /** Pages that follow `perPage` queues each over one group connection; pushes go to the queues. */
  async createGroups({ pages, perPage }) {
    const created = await system.createGroups(pages, perPage);
    streamCount = pages * perPage;
    return created;
  },

  /**
   * Pushes `rate` items per second to each stream, round robin and evenly spread in time,
   * for `durationMs`. Each item carries its phase and `t`, taken just before the push call.
   */
  async load({ phase, rate, durationMs }) {
    const pushes = tracker();
    const interval = 1000 / (rate * streamCount);
    const total = Math.max(1, Math.round(durationMs / interval));
    const started = nowMs();
    let next = 0;
    while (pushes.sent < total) {
      const due = Math.min(total, Math.floor((nowMs() - started) / interval) + 1);
      while (pushes.sent < due) {
        const index = next;
        next = (next + 1) % streamCount;
        pushes.push(index, { p: phase, t: nowMs(), n: pushes.sent });
      }
      await sleep(1);
    }
    await pushes.drain();
    return {
      pushed: pushes.done,
      errors: pushes.errors,
      lastError: pushes.lastError,
      ms: nowMs() - started,
    };
  },

  /** Pushes `count` items into stream `index` as fast as it takes them, `window` in flight. */
  async burst({ phase, count, window, index = 0 }) {
    const pushes = tracker();
    const startedAt = nowMs();
    await new Promise((resolve) => {
      const pump = () => {
        while (pushes.inFlight < window && pushes.sent < count) {
          pushes.push(index, { p: phase, t: nowMs(), n: pushes.sent });
        }
        if (pushes.sent === count && pushes.inFlight === 0) resolve();
      };
      pushes.onSettle = pump;
      pump();
    });
    return {
      pushed: pushes.done,
      errors: pushes.errors,
      lastError: pushes.lastError,
      startedAt,
      endedAt: nowMs(),
    };
  },

  /**
   * Pushes into stream `index` (while its Redis is down): `count` pushes, `concurrency` at a
   * time; each push's time to settle and the name of its error (none if it succeeded).
   */
  async timedPushes({ count, concurrency = 1, index = 0 }) {
    const one = async () => {
      const started = nowMs();
      try {
        await system.push(index, { p: 0, t: 0, n: -1 });
        return { ms: nowMs() - started };
      } catch (err) {
        return { ms: nowMs() - started, error: err?.name ?? 'Error', message: err?.message };
      }
    };
    const results = [];
    while (results.length < count) {
      const size = Math.min(concurrency, count - results.length);
      results.push(...(await Promise.all(Array.from({ length: size }, one))));
    }
    return results;
  },

  prepareReplay: ({ count }) => system.prepareReplay(count),
  preparePoll: () => system.preparePoll(),
  release: () => system.release(),

  /** Connection names in CLIENT LIST that are this system's. */
  ownsConnections: ({ names }) => names.filter((name) => system.ownsConnection(name)).length,

  /** CPU ticks (1/100 s) per thread name (Linux): the main thread vs V8's and libuv's workers. */
  threads() {
    const byName = {};
    try {
      for (const tid of readdirSync('/proc/self/task')) {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = tid === String(process.pid) ? 'main' : name;
        const entry = (byName[key] ??= { user: 0, system: 0 });
        entry.user += Number(fields[11]);
        entry.system += Number(fields[12]);
      }
    } catch {
      return undefined;
    }
    return byName;
  },

  async stats({ gc = false } = {}) {
    if (gc && global.gc) {
      global.gc();
      await sleep(50);
      global.gc();
    }
    const memory = process.memoryUsage();
    return { memory, cpu: process.cpuUsage(), at: nowMs(), hub: system?.stats?.() };
  },

  /** CPU profile of what runs between profileStart and profileStop (--profile=<system>). */
  async profileStart() {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
    await profiler.post('Profiler.start');
  },

  async profileStop({ file }) {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return { file };
  },

  heapSnapshot: ({ file }) => {
    global.gc?.();
    return { file: writeHeapSnapshot(file) };
  },

  async close() {
    await system?.close();
    return { closed: true };
  },
});
