// How busy the machine was with other work during a run: CPU time of all processes
// (/proc/stat) minus that of the bench itself and its children (/proc/self/stat), in cores.
import { readFileSync } from 'node:fs';

function snapshot() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user, nice, system, , , irq, softirq, steal] = cpu;
    const self = readFileSync('/proc/self/stat', 'utf8');
    const fields = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // utime, stime, cutime, cstime are fields 14-17 (1-based), 12-15 after the name.
    const ours = fields[11] + fields[12] + fields[13] + fields[14];
    return { busy: user + nice + system + irq + softirq + (steal ?? 0), ours, at: Date.now() };
  } catch {
    return undefined;
  }
}

/** Call at the start; the returned function gives `{ otherCores, benchCores }` averaged since. */
export function watchMachineShare() {
  const start = snapshot();
  return () => {
    const end = snapshot();
    if (!start || !end) return undefined;
    const seconds = (end.at - start.at) / 1000;
    const ticks = 100; // USER_HZ on Linux
    const busy = (end.busy - start.busy) / ticks / seconds;
    const bench = (end.ours - start.ours) / ticks / seconds;
    // Clock-tick rounding can make the difference slightly negative on an idle machine.
    return {
      otherCores: Math.round(Math.max(0, busy - bench) * 100) / 100,
      benchCores: Math.round(bench * 100) / 100,
    };
  };
}
