// How big each measurement is: the full run (the conditions) and --quick (a smoke
// run of the harness, about a minute, whose figures mean nothing).

export const FULL = {
  keepaliveMs: 10_000,
  idle: { streams: 10_000, small: 10, settleMs: 3_000, windowMs: 60_000 },
  storm: { streams: 10_000 },
  flood: { connections: 200, items: 10_000, bytes: 1_000, pushes: 50 },
  latency: {
    warmupMs: 2_000,
    steps: [
      { streams: 10, rates: [1], durationMs: 30_000 },
      { streams: 100, rates: [1], durationMs: 10_000 },
      { streams: 1_000, rates: [1, 10], durationMs: 10_000 },
    ],
  },
  throughput: { messages: 50_000, window: 128 },
  fanout: { consumers: 1_000, messages: 200, window: 128 },
  pushrate: { count: 20_000 },
  poll: { connections: 32, durationMs: 5_000, warmupMs: 1_000 },
  replay: { messages: 1_000, reps: 20, warmupReps: 3 },
  outage: { commandTimeoutMs: 500, pushes: 20, burst: 50 },
  // Pages that follow 8 queues each: one group connection per page, or 8 single ones.
  group: {
    pages: 1_000,
    perPage: 8,
    settleMs: 3_000,
    windowMs: 30_000,
    latency: { rate: 0.25, durationMs: 10_000, warmupMs: 2_000 },
  },
  browser: { items: 5_000 },
};

export const QUICK = {
  keepaliveMs: 1_000,
  idle: { streams: 200, small: 10, settleMs: 300, windowMs: 1_000 },
  storm: { streams: 500 },
  flood: { connections: 50, items: 2_000, bytes: 1_000, pushes: 10 },
  latency: {
    warmupMs: 200,
    steps: [
      { streams: 10, rates: [10], durationMs: 800 },
      { streams: 50, rates: [1, 10], durationMs: 800 },
    ],
  },
  throughput: { messages: 2_000, window: 64 },
  fanout: { consumers: 50, messages: 50, window: 64 },
  pushrate: { count: 2_000 },
  poll: { connections: 8, durationMs: 500, warmupMs: 200 },
  replay: { messages: 1_000, reps: 3, warmupReps: 1 },
  outage: { commandTimeoutMs: 500, pushes: 5, burst: 50 },
  group: {
    pages: 100,
    perPage: 8,
    settleMs: 300,
    windowMs: 1_000,
    latency: { rate: 2, durationMs: 800, warmupMs: 200 },
  },
  browser: { items: 1_000 },
};
