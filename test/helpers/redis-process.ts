import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { Redis } from 'ioredis';
import { pingRedis } from '../../scripts/redis-env.mjs';
import { waitFor } from './wait-for.js';

/** Every process these helpers start listens on loopback only. */
export const HOST = '127.0.0.1';

export interface Addr {
  host: string;
  port: number;
}

/** `n` distinct free loopback ports: all are held open together, so none comes back twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** `{ port: 1, save: '' }` as redis-server arguments: `--port 1 --save ''`. */
export function serverArgs(config: Record<string, string | number>): string[] {
  return Object.entries(config).flatMap(([name, value]) => [`--${name}`, String(value)]);
}

/** A redis-server (or sentinel) that this process started. */
export interface RedisProcess {
  port: number;
  child: ChildProcess;
  /** Resolves once the process has exited, however it ended. */
  exited: Promise<void>;
  /** SIGKILL (no shutdown, no save: a crash); resolves once the process has exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets open and answers nothing (a hung server). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

/**
 * Spawns `redis-server ...args` and resolves once it answers PING. `logFile` is where the
 * server logs (the args must send it there); its tail goes into the error if it dies first.
 */
export async function spawnRedis(
  args: string[],
  port: number,
  logFile: string,
): Promise<RedisProcess> {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const proc: RedisProcess = {
    port,
    child,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error('exited');
      return pingRedis(`redis://${HOST}:${port}`, 200);
    }, `redis-server on port ${port}`);
  } catch (err) {
    await proc.kill();
    const log = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(
      `${String(err)}\n--- ${logFile} (tail) ---\n${log.split('\n').slice(-15).join('\n')}`,
      { cause: err },
    );
  }
  return proc;
}

/** A connection that fails fast: no reconnects, no retries, a short connect timeout. */
function adminConnection(port: number): Redis {
  const redis = new Redis({
    host: HOST,
    port,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
    disableClientInfo: true,
  });
  redis.on('error', () => {});
  return redis;
}

/** Sends one command on a connection of its own and closes it. */
export async function send(port: number, ...args: (string | number)[]): Promise<unknown> {
  const redis = adminConnection(port);
  try {
    const [command, ...rest] = args;
    return await redis.call(String(command), ...rest);
  } finally {
    redis.disconnect();
  }
}

export interface AdminConnections {
  send(port: number, ...args: (string | number)[]): Promise<unknown>;
  close(): void;
}

/**
 * One admin connection per node, made again once it has ended (the node died). Polling on
 * these keeps admin traffic off the clients under test without a connection per poll.
 */
export function adminConnections(): AdminConnections {
  const conns = new Map<number, Redis>();
  return {
    send: (port, ...args) => {
      let redis = conns.get(port);
      if (!redis || redis.status === 'end') {
        redis = adminConnection(port);
        conns.set(port, redis);
      }
      const [command, ...rest] = args;
      return redis.call(String(command), ...rest);
    },
    close: () => {
      for (const redis of conns.values()) redis.disconnect();
      conns.clear();
    },
  };
}

/** `field` of an INFO-style `key:value` reply (INFO, CLUSTER INFO). */
export function infoField(info: unknown, field: string): string | undefined {
  return String(info)
    .split(/\r?\n/)
    .find((line) => line.startsWith(`${field}:`))
    ?.slice(field.length + 1)
    .trim();
}
