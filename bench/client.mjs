// The client process: holds the SSE connections (a process apart from the server, so that
// the server's CPU and memory figures are its own), timestamps every event as it is parsed,
// and runs the polling and replay loads. Driven by run.mjs over IPC.
import { nowMs, sleep } from './lib/clock.mjs';
import { pollLoad } from './lib/poll-load.mjs';
import { serveRpc } from './lib/rpc.mjs';
import net from 'node:net';
import { LOCAL_ADDRESSES, requestHead, SseConn } from './lib/sse-conn.mjs';

// Every pushed item carries its phase `p` and send time `t` (ms), as JSON or in the HTML
// the item template renders (`data-p="…" data-t="…"`). One HTML event may carry several
// items (the module merges what is ready together): each counts, timed at the event.
const ITEM = /\bp(?:":|=")(\d+)(?:",?|,)\s*"?(?:data-)?t(?:":|=")(\d+(?:\.\d+)?)/g;

const conns = new Set();
/** Sockets of openUnread: they never read. */
const unread = new Set();
/** Phase id -> what arrived for it. Items of other phases (history, warm-up) are ignored. */
const phases = new Map();
const counters = { opened: 0, unexpectedEnds: 0, closes: 0, lastEndReason: undefined };
let connIndex = 0;

function onEvent(conn, type, data) {
  // A stream is open once its first `count` items arrived, however many events held them
  // (a group's first items come merged).
  if (conn.waitFirst && type !== 'close') {
    conn.firstItems = (conn.firstItems ?? 0) + Math.max(1, data.match(ITEM)?.length ?? 0);
    if (conn.firstItems >= conn.waitFirst.count) conn.waitFirst.resolve();
  }
  if (type === 'close') {
    counters.closes++;
    return;
  }
  const at = nowMs();
  for (const [, p, sentAt] of data.matchAll(ITEM)) {
    const phase = phases.get(Number(p));
    if (!phase) continue;
    phase.count++;
    phase.lastAt = at;
    if (phase.samples) phase.samples.push(at - Number(sentAt));
    if (phase.waiter && phase.count >= phase.waiter.count) phase.waiter.resolve();
  }
}

function onEnd(conn, reason) {
  conns.delete(conn);
  if (!conn.closedByUs) {
    counters.unexpectedEnds++;
    counters.lastEndReason = reason;
  }
  conn.waitFirst?.reject(
    new Error(`stream ${conn.path} ended before it opened: ${reason} ${conn.body.slice(0, 200)}`),
  );
}

/** Opens one stream; resolves once it answered 200 and delivered `expectFirst` events. */
function openOne(port, path, headers, expectFirst) {
  return new Promise((resolve, reject) => {
    const conn = new SseConn({
      port,
      path,
      headers,
      localAddress: LOCAL_ADDRESSES[connIndex++ % LOCAL_ADDRESSES.length],
      onOpen: (c) => {
        if (expectFirst === 0) c.waitFirst.resolve();
      },
      onEvent,
      onEnd,
    });
    conn.path = path;
    conn.waitFirst = {
      count: expectFirst,
      resolve: () => {
        conn.waitFirst = undefined;
        resolve(conn);
      },
      reject,
    };
    conns.add(conn);
  });
}

serveRpc({
  /** Opens a stream per path, `concurrency` at a time (the accept backlog is finite). */
  async open({
    port,
    paths,
    headers = {},
    expectFirst = 0,
    concurrency = 200,
    timeoutMs = 180_000,
  }) {
    const started = performance.now();
    let next = 0;
    let failure;
    const worker = async () => {
      while (next < paths.length && !failure) {
        const path = paths[next++];
        try {
          await openOne(port, path, headers, expectFirst);
          counters.opened++;
        } catch (err) {
          failure ??= err;
        }
      }
    };
    const timeout = sleep(timeoutMs).then(() => {
      failure ??= new Error(`opening ${paths.length} streams took over ${timeoutMs} ms`);
    });
    await Promise.race([
      Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker)),
      timeout,
    ]);
    if (failure) throw failure;
    return { opened: paths.length, ms: performance.now() - started, open: conns.size };
  },

  /**
   * Opens `count` connections to `path` that send their request and never read (stalled
   * clients, or a tool): a flood. They are closed by closeAll.
   */
  async openUnread({ port, path, count }) {
    for (let i = 0; i < count; i++) {
      const socket = net.connect({
        host: '127.0.0.1',
        port,
        localAddress: LOCAL_ADDRESSES[connIndex++ % LOCAL_ADDRESSES.length],
      });
      socket.on('error', () => undefined);
      socket.write(requestHead(path, port, { Accept: 'text/event-stream' }));
      socket.pause();
      unread.add(socket);
    }
    return { opened: count };
  },

  /** Starts counting (and with `samples`, timing) the items of phase `p`. */
  phase({ p, samples = false }) {
    phases.set(p, { count: 0, lastAt: 0, samples: samples ? [] : undefined });
  },

  /** Resolves once phase `p` has `count` items, or after `timeoutMs`; returns what arrived. */
  async waitPhase({ p, count, timeoutMs = 30_000 }) {
    const phase = phases.get(p);
    if (phase.count < count) {
      await Promise.race([
        new Promise((resolve) => (phase.waiter = { count, resolve })),
        sleep(timeoutMs),
      ]);
      phase.waiter = undefined;
    }
    return { count: phase.count, lastAt: phase.lastAt };
  },

  /** Ends phase `p` and hands over its figures (latency samples as a Float64Array). */
  takePhase({ p }) {
    const phase = phases.get(p);
    phases.delete(p);
    return {
      count: phase.count,
      lastAt: phase.lastAt,
      samples: phase.samples ? Float64Array.from(phase.samples) : undefined,
    };
  },

  status() {
    return { open: conns.size, ...counters, cpu: process.cpuUsage(), at: nowMs() };
  },

  async closeAll() {
    for (const socket of unread) socket.destroy();
    unread.clear();
    const closing = [...conns];
    for (const conn of closing) {
      conn.closedByUs = true;
      conn.close();
    }
    // Let the server see the FINs before the next step measures anything.
    await sleep(Math.min(2_000, 200 + closing.length / 10));
    return { closed: closing.length };
  },

  pollLoad,

  /**
   * Time from opening the connection to the last byte of the `expect`-th item, resuming
   * with `Last-Event-ID: lastEventId`; `reps` times, on fresh connections.
   */
  async replay({ port, path, lastEventId, expect, reps, timeoutMs = 10_000 }) {
    const times = [];
    for (let i = 0; i < reps; i++) {
      const started = nowMs();
      const took = await new Promise((resolve, reject) => {
        let seen = 0;
        const timer = setTimeout(
          () => reject(new Error(`replay: ${seen}/${expect} events after ${timeoutMs} ms`)),
          timeoutMs,
        );
        const conn = new SseConn({
          port,
          path,
          headers: { 'Last-Event-ID': lastEventId },
          localAddress: LOCAL_ADDRESSES[i % LOCAL_ADDRESSES.length],
          onEvent: (c, type, data) => {
            if (type !== 'message') return;
            // Merged events carry several items (each matches ITEM; an event counts once).
            seen += Math.max(1, [...data.matchAll(ITEM)].length);
            if (seen < expect) return;
            const at = nowMs();
            clearTimeout(timer);
            c.closedByUs = true;
            c.close();
            resolve(at - started);
          },
          onEnd: (c, reason) => {
            if (c.closedByUs) return;
            clearTimeout(timer);
            reject(
              new Error(
                `replay stream ended after ${seen}/${expect} events: ${reason} ${c.body.slice(0, 200)}`,
              ),
            );
          },
        });
      });
      times.push(took);
    }
    return { times };
  },
});
