// What the bench reads from Redis itself: command counts, connections, CPU, and the
// cleanup of its keys (SCAN + UNLINK under the run's prefix; never a FLUSH).
import { Redis } from 'ioredis';

/** The probe's own commands, left out of the counts it takes. */
const PROBE_COMMANDS = new Set(['info', 'client|list', 'scan', 'unlink', 'ping', 'client|setname']);

export class RedisProbe {
  constructor(url) {
    this.redis = new Redis(url, {
      connectionName: 'pluto-rt-bench-probe',
      maxRetriesPerRequest: 1,
    });
  }

  /** Calls per command since the server started (INFO commandstats), without the probe's. */
  async commandCounts() {
    const info = await this.redis.info('commandstats');
    const counts = {};
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (!PROBE_COMMANDS.has(match[1])) counts[match[1]] = Number(match[2]);
    }
    return counts;
  }

  /** Seconds of CPU the Redis server has used (user + system). */
  async cpuSeconds() {
    const info = await this.redis.info('cpu');
    const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    return field('used_cpu_user') + field('used_cpu_sys');
  }

  /** Names of all client connections (CLIENT LIST). */
  async connectionNames() {
    const list = await this.redis.client('LIST');
    return list
      .split('\n')
      .filter(Boolean)
      .map((line) => / name=(\S*)/.exec(line)?.[1] ?? '');
  }

  /**
   * Commands that clients send while `fn` runs, seen through MONITOR: `sent` counts what
   * arrives from connections, `inScripts` what Lua scripts call (commandstats counts both).
   */
  async monitor(fn) {
    const monitor = await this.redis.monitor();
    const counts = { sent: 0, inScripts: 0, perCommand: {} };
    monitor.on('monitor', (time, args, source) => {
      if (source === 'lua') {
        counts.inScripts++;
        return;
      }
      const name = String(args[0]).toLowerCase();
      if (PROBE_COMMANDS.has(name)) return;
      counts.sent++;
      counts.perCommand[name] = (counts.perCommand[name] ?? 0) + 1;
    });
    try {
      const result = await fn();
      return { result, ...counts };
    } finally {
      monitor.disconnect();
    }
  }

  /** Deletes every key under `prefix`; returns how many. */
  /** Output buffer memory of every client of the server (CLIENT LIST omem), summed. */
  async outputBufferBytes() {
    const list = await this.redis.client('LIST');
    let sum = 0;
    for (const match of list.matchAll(/ omem=(\d+)/g)) sum += Number(match[1]);
    return sum;
  }

  async deletePrefix(prefix) {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) deleted += await this.redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    return deleted;
  }

  close() {
    return this.redis.quit();
  }
}

/** Per-command difference of two `commandCounts()` snapshots, and its total. */
export function commandDelta(before, after) {
  const perCommand = {};
  let total = 0;
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0);
    if (delta > 0) {
      perCommand[name] = delta;
      total += delta;
    }
  }
  return { total, perCommand };
}
