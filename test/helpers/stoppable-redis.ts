import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePorts, HOST, serverArgs, spawnRedis, type RedisProcess } from './redis-process.js';
import type { RedisTarget } from './topology.js';

/**
 * A private redis-server that a test can hang (SIGSTOP), kill, and start again on the same
 * port (empty: no persistence), with a RedisTarget for startTestApp.
 */
export class StoppableRedis {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    public proc: RedisProcess,
  ) {}

  static async start(): Promise<StoppableRedis> {
    const [port] = await freePorts(1);
    const dir = mkdtempSync(join(tmpdir(), 'pluto-rt-health-'));
    return new StoppableRedis(port!, dir, await spawn(port!, dir));
  }

  get url(): string {
    return `redis://${HOST}:${this.port}`;
  }

  get target(): RedisTarget {
    return {
      option: { url: this.url },
      nodes: [{ host: HOST, port: this.port }],
      inspector: () => new Redis(this.url, { maxRetriesPerRequest: 1 }),
      stop: () => this.destroy(),
    };
  }

  async restart(): Promise<void> {
    await this.proc.kill();
    this.proc = await spawn(this.port, this.dir);
  }

  async destroy(): Promise<void> {
    this.proc.resume();
    await this.proc.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function spawn(port: number, dir: string): Promise<RedisProcess> {
  const logfile = join(dir, 'redis.log');
  const args = serverArgs({ port, bind: HOST, save: '', appendonly: 'no', dir, logfile });
  return spawnRedis(args, port, logfile);
}
