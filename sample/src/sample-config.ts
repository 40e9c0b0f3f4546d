/** Which parts of the sample this process runs: both (the default), the web app, or the worker. */
export type SampleRole = 'all' | 'web' | 'worker';

export interface SampleConfig {
  role: SampleRole;
  port: number;
  redisUrl: string;
  /** Startup nodes of a Redis Cluster (`REDIS_CLUSTER_NODES=host:port,...`): used instead of redisUrl. */
  redisCluster?: Array<{ host: string; port: number }>;
  /** Pause between two messages of a job, in ms (realistic pacing; the tests use a small one). */
  stepMs: number;
  /** BullMQ key prefix, so that several copies of the sample can share one Redis. */
  bullPrefix: string;
  /** How often the polling demos ask for new items (htmx interval syntax). */
  pollInterval: string;
  /** HTMX_MAJOR: the htmx of every page (the index page can switch one browser); unset, the module's default. */
  htmxMajor?: 2 | 4;
}

/** Reads the environment (and `--web` / `--worker`); throws with a readable message on a bad value. */
export function readSampleConfig(env = process.env, argv = process.argv.slice(2)): SampleConfig {
  return {
    role: readRole(env.SAMPLE_ROLE, argv),
    port: readInt('PORT', env.PORT, 3000, 0, 65535),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisCluster: readClusterNodes(env.REDIS_CLUSTER_NODES),
    stepMs: readInt('SAMPLE_STEP_MS', env.SAMPLE_STEP_MS, 150, 0, 60_000),
    bullPrefix: env.SAMPLE_BULL_PREFIX || 'bull',
    pollInterval: readInterval(env.SAMPLE_POLL_INTERVAL),
    htmxMajor: readMajor(env.HTMX_MAJOR),
  };
}

function readMajor(raw: string | undefined): 2 | 4 | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw !== '2' && raw !== '4')
    throw new Error(`HTMX_MAJOR must be 2 or 4, got ${JSON.stringify(raw)}`);
  return Number(raw) as 2 | 4;
}

function readRole(fromEnv: string | undefined, argv: string[]): SampleRole {
  const flag = argv.find((arg) => arg === '--web' || arg === '--worker');
  const role = flag ? flag.slice(2) : fromEnv || 'all';
  if (role !== 'all' && role !== 'web' && role !== 'worker') {
    throw new Error(`SAMPLE_ROLE must be all, web or worker, got ${JSON.stringify(role)}`);
  }
  return role;
}

function readInt(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function readClusterNodes(raw: string | undefined): SampleConfig['redisCluster'] {
  if (raw === undefined || raw === '') return undefined;
  return raw.split(',').map((node) => {
    const match = /^([\w.-]+):(\d{1,5})$/.exec(node.trim());
    if (!match)
      throw new Error(
        `REDIS_CLUSTER_NODES must look like host:port,host:port, got ${JSON.stringify(raw)}`,
      );
    return { host: match[1]!, port: Number(match[2]) };
  });
}

function readInterval(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '1s';
  if (!/^\d{1,6}(ms|s)$/.test(raw))
    throw new Error(`SAMPLE_POLL_INTERVAL must look like 500ms or 2s, got ${JSON.stringify(raw)}`);
  return raw;
}
