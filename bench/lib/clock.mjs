// The one clock of every bench process: wall-clock milliseconds with sub-ms precision, so a
// timestamp taken in the server process compares with one taken in the client process.
const origin = performance.timeOrigin;

export function nowMs() {
  return origin + performance.now();
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
