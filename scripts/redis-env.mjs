// Finds a Redis for the tests, the sample and the benchmarks: REDIS_URL if set, else the
// standard local port if it answers, else a private redis-server on a free port.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';

const LOCAL_URL = 'redis://127.0.0.1:6379';
export const HOW_TO_GET_REDIS =
  'nestjs-pluto-rt: no Redis reachable and no redis-server binary on PATH; install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL=redis://host:port';

/** Resolves true when a Redis at `url` answers PING within `timeoutMs`. */
export function pingRedis(url, timeoutMs = 1000) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port) || 6379 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // A server that wants a password answers -NOAUTH: it is there all the same.
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function hasRedisServerBinary() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts a throwaway redis-server (no persistence) and resolves once it answers. */
export async function startPrivateRedis(port) {
  port ??= await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: 'ignore', detached: false },
  );
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (!(await pingRedis(url, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nestjs-pluto-rt: redis-server on port ${port} did not start`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Returns `{ url, stop, source }`; `stop` is a no-op unless a private server was started.
 * Throws with HOW_TO_GET_REDIS when nothing can be found or started.
 */
export async function ensureRedis() {
  if (process.env.REDIS_URL) {
    if (!(await pingRedis(process.env.REDIS_URL))) {
      throw new Error(`nestjs-pluto-rt: REDIS_URL=${process.env.REDIS_URL} does not answer`);
    }
    return { url: process.env.REDIS_URL, stop: async () => {}, source: 'REDIS_URL' };
  }
  if (await pingRedis(LOCAL_URL)) return { url: LOCAL_URL, stop: async () => {}, source: 'local' };
  if (!hasRedisServerBinary()) throw new Error(HOW_TO_GET_REDIS);
  const server = await startPrivateRedis();
  return { url: server.url, stop: server.stop, source: 'private' };
}
