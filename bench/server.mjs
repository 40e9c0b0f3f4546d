// The server process: runs one system's web app (the module, or baseline A, N, C or D) and
// reports its own memory and CPU. Pushes come from the worker process (worker.mjs); for the
// in-process row (`inproc`) this process also runs the module's producer, on its own app.
// Driven by run.mjs over IPC.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { nowMs, sleep } from './lib/clock.mjs';
import { producerRpc } from './lib/producer-rpc.mjs';
import { serveRpc } from './lib/rpc.mjs';
import { codeOf, importProducer, importServer } from './lib/systems.mjs';

let system;
let producer;
let profiler;

serveRpc({
  async boot({ name, options }) {
    const { start } = await importServer(name);
    system = await start(options);
    if (name === 'inproc') {
      const { start: startProducer } = await importProducer(name);
      producer = await startProducer({ ...options, system: codeOf(name) }, system.app);
    }
    return { port: system.port, feedPort: system.feedPort };
  },

  ...producerRpc(() => producer),

  release: () => system.release?.(),

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
    await producer?.close();
    await system?.close();
    return { closed: true };
  },
});
