// The one clock of every bench process: CLOCK_MONOTONIC in milliseconds with sub-ms precision.
// It is one clock for the whole machine, so a timestamp taken in the server process compares
// with one taken in the client process. (`performance.timeOrigin + now()` pins the wall clock
// at each process's start: when the wall clock is being slewed, two processes started at
// different times disagree by fractions of a millisecond, which once made latencies negative.)
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
