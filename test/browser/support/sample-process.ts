import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { REDIS_URL, redisClient, testPrefix } from '../../helpers/redis.js';
import { deletePrefix } from '../../helpers/redis-inspect.js';
import { waitFor } from '../../helpers/wait-for.js';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SAMPLE_MAIN = 'sample/dist/main.js';

export interface SampleOptions {
  /** SAMPLE_STEP_MS: pause between two messages of a job. */
  stepMs?: number;
  /** SAMPLE_POLL_INTERVAL of the polling demos. */
  pollInterval?: string;
  /** Extra arguments for main.js, e.g. ['--worker']. */
  args?: string[];
  /** Run through scripts/with-redis.mjs, as `npm run sample` does. */
  viaWithRedis?: boolean;
  /** Share Redis prefixes with another sample process (the web/worker split). */
  prefixes?: SamplePrefixes;
  /** More environment, e.g. REDIS_CLUSTER_NODES. */
  env?: Record<string, string>;
}

export interface SamplePrefixes {
  keyPrefix: string;
  bullPrefix: string;
}

export interface SampleProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  url: string;
  prefixes: SamplePrefixes;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Deletes the process's Redis keys (pluto-rt and BullMQ prefixes). */
  deleteKeys(): Promise<void>;
}

export function newPrefixes(): SamplePrefixes {
  return { keyPrefix: testPrefix(), bullPrefix: `prt-test-bull-${randomUUID()}` };
}

/** Starts the compiled sample on a free port with its own Redis prefixes; resolves once it is up. */
export async function startSample(options: SampleOptions = {}): Promise<SampleProcess> {
  if (!existsSync(`${REPO_ROOT}/${SAMPLE_MAIN}`)) {
    throw new Error(
      `${SAMPLE_MAIN} is missing: run \`npm run build && npm run sample:build\` before the browser tests`,
    );
  }
  const port = await freePort();
  const prefixes = options.prefixes ?? newPrefixes();
  const command = options.viaWithRedis
    ? ['scripts/with-redis.mjs', '--', process.execPath, SAMPLE_MAIN, ...(options.args ?? [])]
    : [SAMPLE_MAIN, ...(options.args ?? [])];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL,
    PORT: String(port),
    PLUTO_RT_SECRET: `browser-test-secret-${randomUUID()}`,
    PLUTO_RT_KEY_PREFIX: prefixes.keyPrefix,
    SAMPLE_BULL_PREFIX: prefixes.bullPrefix,
    SAMPLE_STEP_MS: String(options.stepMs ?? 20),
    SAMPLE_POLL_INTERVAL: options.pollInterval ?? '200ms',
    NO_COLOR: '1',
    ...options.env,
  };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not the sample's business
  delete env.SAMPLE_ROLE;
  const child = spawn(process.execPath, command, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));

  const url = `http://127.0.0.1:${port}`;
  const isWorker = options.args?.includes('--worker') ?? false;
  await waitFor(
    async () => {
      if (ended) throw new Error(`the sample exited early:\n${out}\n${err}`);
      if (isWorker) return out.includes('Worker running');
      const res = await fetch(`${url}/`);
      return res.ok;
    },
    'the sample to answer',
    20_000,
  );

  return {
    child,
    url,
    prefixes,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (!ended) child.kill(signal);
      return exited;
    },
    async deleteKeys() {
      const redis = redisClient();
      try {
        await deletePrefix(redis, prefixes.keyPrefix);
        await deletePrefix(redis, `${prefixes.bullPrefix}:`);
      } finally {
        await redis.quit();
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
