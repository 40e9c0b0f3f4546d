// Starts a bench process through bash so that it can raise its own file-descriptor limit
// (10,000 sockets need more than the usual soft limit of 1,024), with an IPC channel.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rpcClient } from './rpc.mjs';

const RAISE_LIMIT =
  'ulimit -n "$(ulimit -Hn)" 2>/dev/null || true; export BENCH_NOFILE="$(ulimit -n)"; exec "$@"';

/** Spawns `node [nodeArgs] script`; resolves to `{ child, call, nofile }` once it says ready. */
export async function spawnNode(script, { nodeArgs = [], env = {}, label = script } = {}) {
  const child = spawn('bash', ['-c', RAISE_LIMIT, 'bash', process.execPath, ...nodeArgs, script], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
    env: { ...process.env, ...env },
  });
  const rpc = rpcClient(child, label);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const info = await rpc.call('hello');
  return {
    child,
    call: rpc.call,
    nofile: info.nofile,
    /** Asks the process to finish, then waits for it (kills it after `graceMs`). */
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      rpc.call('exit').catch(() => undefined);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Spawns the app process of a bench (`script`, a URL; it serves `boot`, see serveRpc) and
 * boots its app; `port` is where the app listens.
 */
export async function bootServer(script, env, label) {
  const server = await spawnNode(fileURLToPath(script), { env, label });
  try {
    return { ...server, port: await server.call('boot') };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
