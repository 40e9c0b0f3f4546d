// The push side of a system, as RPC commands: the worker process serves them (pushes from a
// process of their own, as in production), and so does the server process for the rows
// measured with pushes in-process. `producer()` is the system's producer
// (bench/producers/*.mjs).
import { nowMs, sleep } from './clock.mjs';

/** Calls `producer.push`, counting pushes that settle. */
function tracker(producer) {
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
    state.inFlight++;
    producer.push(index, item).then(() => settle(), settle);
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

export function producerRpc(producer) {
  let streamCount = 0;
  return {
    async createStreams({ count, producers = true, history = true }) {
      const created = await producer().createStreams(count, { producers, history });
      streamCount = count;
      return created;
    },

    /** Pages that follow `perPage` queues each over one group connection; pushes go to the queues. */
    async createGroups({ pages, perPage }) {
      const created = await producer().createGroups(pages, perPage);
      streamCount = pages * perPage;
      return created;
    },

    /**
     * Pushes `rate` items per second to each stream, round robin and evenly spread in time,
     * for `durationMs`. Each item carries its phase and `t`, taken just before the push call.
     */
    async load({ phase, rate, durationMs }) {
      const pushes = tracker(producer());
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

    /**
     * Pushes `count` items into stream `index` as fast as it takes them, `window` in flight
     * (`window >= count`: all at once, none awaited before the next is sent).
     */
    async burst({ phase, count, window, index = 0 }) {
      const pushes = tracker(producer());
      const cpu0 = process.cpuUsage();
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
      const endedAt = nowMs();
      const cpu = process.cpuUsage(cpu0);
      return {
        pushed: pushes.done,
        errors: pushes.errors,
        lastError: pushes.lastError,
        startedAt,
        endedAt,
        cpuPercent: Math.round(((cpu.user + cpu.system) / 10 / (endedAt - startedAt)) * 10) / 10,
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
          await producer().push(index, { p: 0, t: 0, n: -1 });
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

    prepareReplay: ({ count }) => producer().prepareReplay(count),
    prepareFlood: ({ count, bytes }) => producer().prepareFlood(count, bytes),
    preparePoll: () => producer().preparePoll(),
    releaseStreams: () => producer().release(),
  };
}
