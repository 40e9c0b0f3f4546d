import v8 from 'node:v8';
import vm from 'node:vm';
import { realProcess } from './process-watch.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap used after full collections (several: finalizers free more on the next pass). */
export async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return realProcess.memoryUsage().heapUsed;
}

/** Active handles and requests of the process, counted by type (Timeout, TCPSocketWrap...). */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of realProcess.getActiveResourcesInfo()) {
    // File system requests come and go with jest's own bookkeeping.
    if (/^FSReq/.test(type)) continue;
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}

/** Listeners on the process, by event name. */
export function processListeners(): Record<string, number> {
  return Object.fromEntries(
    realProcess.eventNames().map((name) => [String(name), realProcess.listenerCount(name)]),
  );
}

/** The entries of `after` that exceed `before` (what grew). */
export function grown(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .filter(([key, n]) => n > (before[key] ?? 0))
      .map(([key, n]) => [key, n - (before[key] ?? 0)]),
  );
}
