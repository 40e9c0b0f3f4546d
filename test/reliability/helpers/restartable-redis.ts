import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface RedisEnv {
  freePort(): Promise<number>;
  pingRedis(url: string, timeoutMs?: number): Promise<boolean>;
  startPrivateRedis(port?: number): Promise<{ url: string; port: number; stop(): Promise<void> }>;
}

// A variable specifier: the .mjs script has no type declarations.
const REDIS_ENV = '../../../scripts/redis-env.mjs';
export const redisEnv = (): Promise<RedisEnv> => import(REDIS_ENV) as Promise<RedisEnv>;

/**
 * A private redis-server that can be stopped and started again on the same port with its
 * data: it saves an RDB snapshot in its own temporary folder when stopped (SIGTERM with a
 * save point), as a production Redis with persistence does across a restart.
 * (scripts/redis-env.mjs's startPrivateRedis runs without persistence: a restart there
 * loses every queue, which is the other case, tested with it.)
 */
export class RestartableRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'pluto-rt-redis-'));

  private constructor(
    readonly port: number,
    private readonly env: RedisEnv,
  ) {}

  static async start(): Promise<RestartableRedis> {
    const env = await redisEnv();
    const redis = new RestartableRedis(await env.freePort(), env);
    await redis.startAgain();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async startAgain(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '3600 1',
      '--appendonly',
      'no',
    ];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (!(await this.env.pingRedis(this.url, 200))) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** SIGTERM: Redis saves its snapshot, closes every connection and exits. */
  stop(): Promise<void> {
    const child = this.child;
    return new Promise((resolve) => {
      if (!child || child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
