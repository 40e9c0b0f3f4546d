// A real Sentinel deployment on loopback for e2e tests: a master, a replica and three
// sentinels (quorum 2) in a private temp directory, with a master crash that fails over.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminConnections,
  freePorts,
  HOST,
  infoField,
  serverArgs,
  spawnRedis,
  type Addr,
  type RedisProcess,
} from './redis-process.js';
import { waitFor } from './wait-for.js';

/** Small, so that a killed master is failed over in a few seconds. */
const DOWN_AFTER_MS = 1_000;
/** Also the wait before a sentinel retries a failed election (twice this): keep it short. */
const FAILOVER_TIMEOUT_MS = 2_000;
const SETTLE_TIMEOUT_MS = 20_000;

export interface RedisSentinel {
  /** The monitored master's name, for `new Redis({ sentinels, name })`. */
  name: string;
  sentinels: Addr[];
  /** The master as the first answering sentinel reports it now. */
  master(): Promise<Addr>;
  /**
   * SIGKILLs the current master; resolves once every sentinel reports the replica as the
   * master and it answers ROLE as one.
   */
  killMaster(): Promise<{ old: Addr; promoted: Addr; ms: number }>;
  /**
   * Starts a killed data node again (empty) as a replica of the current master; resolves
   * once it has synced.
   */
  restartAsReplica(port: number): Promise<{ ms: number }>;
  /** The replicas of the current master that are in sync (INFO replication on the master). */
  replicas(): Promise<Addr[]>;
  /** SIGSTOPs the data node on `port` (it answers nothing); `resume` sends SIGCONT. */
  pauseNode(port: number): { resume(): void };
  /** Kills every process this helper started and removes its directory. */
  stop(): Promise<void>;
}

export async function startRedisSentinel(name = 'pluto-rt'): Promise<RedisSentinel> {
  const dir = await mkdtemp(join(tmpdir(), 'pluto-rt-sentinel-'));
  const [masterPort, replicaPort, ...sentinelPorts] = (await freePorts(5)) as [
    number,
    number,
    ...number[],
  ];
  const procs = new Map<number, RedisProcess>();
  const admin = adminConnections();
  const send = admin.send;

  const stop = async (): Promise<void> => {
    admin.close();
    await Promise.all([...procs.values()].map((p) => p.kill()));
    procs.clear();
    await rm(dir, { recursive: true, force: true });
  };

  const startData = async (port: number, extra: string[]): Promise<void> => {
    const log = join(dir, `${port}.log`);
    const args = [
      ...serverArgs({
        port,
        bind: HOST,
        save: '',
        appendonly: 'no',
        'repl-diskless-sync-delay': 0,
        dir,
        logfile: log,
      }),
      ...extra,
    ];
    procs.set(port, await spawnRedis(args, port, log));
  };

  const startSentinel = async (port: number): Promise<void> => {
    // Sentinel rewrites its config file (state, epochs): each needs a writable one.
    const conf = join(dir, `sentinel-${port}.conf`);
    const log = join(dir, `sentinel-${port}.log`);
    await writeFile(
      conf,
      [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${dir}`,
        `logfile ${log}`,
        'sentinel resolve-hostnames no',
        `sentinel monitor ${name} ${HOST} ${masterPort} 2`,
        `sentinel down-after-milliseconds ${name} ${DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    procs.set(port, await spawnRedis([conf, '--sentinel'], port, log));
  };

  const askMaster = async (sentinel: number): Promise<Addr> => {
    const [host, port] = (await send(sentinel, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [
      string,
      string,
    ];
    return { host, port: Number(port) };
  };

  /** Field maps of a SENTINEL REPLICAS / SENTINELS reply (flat name, value lists). */
  const entries = async (
    sentinel: number,
    what: string,
  ): Promise<Array<Record<string, string | undefined>>> =>
    ((await send(sentinel, 'SENTINEL', what, name)) as string[][]).map((flat) =>
      Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]]] : []))),
    );

  try {
    await startData(masterPort, []);
    await startData(replicaPort, ['--replicaof', HOST, String(masterPort)]);
    await waitFor(
      async () =>
        infoField(await send(replicaPort, 'INFO', 'replication'), 'master_link_status') === 'up',
      'the replica to sync',
      SETTLE_TIMEOUT_MS,
    );
    await Promise.all(sentinelPorts.map(startSentinel));
    // Each sentinel must know the replica (the one to promote) and the other two (the quorum).
    await waitFor(
      async () => {
        for (const s of sentinelPorts) {
          const replicas = await entries(s, 'REPLICAS');
          const ok = replicas.some(
            (r) =>
              Number(r.port) === replicaPort && !/s_down|o_down|disconnected/.test(r.flags ?? ''),
          );
          if (!ok || (await entries(s, 'SENTINELS')).length !== sentinelPorts.length - 1)
            return false;
        }
        return true;
      },
      'every sentinel to see the replica and the other sentinels',
      SETTLE_TIMEOUT_MS,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  const master = async (): Promise<Addr> => {
    let lastErr: unknown;
    for (const s of sentinelPorts) {
      try {
        return await askMaster(s);
      } catch (err) {
        lastErr = err;
      }
    }
    throw new Error(`no sentinel answers: ${String(lastErr)}`);
  };

  const killMaster = async (): Promise<{ old: Addr; promoted: Addr; ms: number }> => {
    const old = await master();
    const proc = procs.get(old.port);
    if (!proc) throw new Error(`the master ${old.port} is not a process of this helper`);
    const t0 = Date.now();
    procs.delete(old.port);
    await proc.kill();
    const promoted = await waitFor(
      async () => {
        const views = await Promise.all(sentinelPorts.map(askMaster));
        const next = views[0]!;
        if (next.port === old.port || views.some((v) => v.port !== next.port)) return null;
        const [role] = (await send(next.port, 'ROLE')) as [string];
        return role === 'master' ? next : null;
      },
      `the sentinels to promote a replica of ${old.port}`,
      SETTLE_TIMEOUT_MS,
    );
    return { old, promoted, ms: Date.now() - t0 };
  };

  const restartAsReplica = async (port: number): Promise<{ ms: number }> => {
    if (procs.has(port)) throw new Error(`node ${port} is running`);
    const t0 = Date.now();
    const current = await master();
    await startData(port, ['--replicaof', current.host, String(current.port)]);
    await waitFor(
      async () => infoField(await send(port, 'INFO', 'replication'), 'master_link_status') === 'up',
      `node ${port} to sync with the master ${current.port}`,
      SETTLE_TIMEOUT_MS,
    );
    return { ms: Date.now() - t0 };
  };

  const replicas = async (): Promise<Addr[]> => {
    const info = String(await send((await master()).port, 'INFO', 'replication'));
    return [...info.matchAll(/^slave\d+:ip=([^,]+),port=(\d+),state=online/gm)].map((m) => ({
      host: m[1]!,
      port: Number(m[2]),
    }));
  };

  const pauseNode = (port: number): { resume(): void } => {
    const proc = procs.get(port);
    if (!proc) throw new Error(`node ${port} is not running`);
    proc.pause();
    return { resume: () => proc.resume() };
  };

  return {
    name,
    sentinels: sentinelPorts.map((port) => ({ host: HOST, port })),
    master,
    killMaster,
    restartAsReplica,
    replicas,
    pauseNode,
    stop,
  };
}
