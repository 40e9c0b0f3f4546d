import { setTimeout as sleep } from 'node:timers/promises';

/** Stands in for real work between two messages. */
export function pause(ms: number): Promise<void> {
  return ms > 0 ? sleep(ms) : Promise.resolve();
}
