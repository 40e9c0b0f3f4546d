// A real Redis Cluster on loopback for e2e tests: redis-server processes in a private temp
// directory, created by `redis-cli --cluster create`, with crash, restart and resharding.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

/** Small, so that a killed master is failed over in ~2-3 s; loopback never misses it. */
const NODE_TIMEOUT_MS = 1_000;
const SETTLE_TIMEOUT_MS = 20_000;

export interface ClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
}

/** One node as CLUSTER NODES shows it. */
export interface ClusterNodeInfo extends Addr {
  id: string;
  role: 'master' | 'replica';
  /** Id of its master (replicas only). */
  masterId?: string;
  failed: boolean;
  /** Inclusive slot ranges (masters only). */
  slots: Array<[number, number]>;
}

export interface ClusterMaster extends Addr {
  id: string;
  slots: Array<[number, number]>;
  replicas: Addr[];
}

export interface RedisCluster {
  /** Every node started (startup nodes for `new Cluster(nodes)`). */
  nodes: Addr[];
  /** The masters that serve slots, each with its live replicas, as an alive node sees them. */
  masters(): Promise<ClusterMaster[]>;
  /** The master that serves `keyOrSlot` (a key, or a slot number) now. */
  nodeFor(keyOrSlot: string | number): Promise<Addr>;
  /**
   * SIGKILLs the node. For a master, resolves once one of its replicas serves its slots and
   * every live node says `cluster_state:ok` and agrees on the slot map.
   */
  killNode(port: number): Promise<{ promoted?: Addr; ms: number }>;
  /** Starts a killed node again (same node id, empty data) and waits until it is back in. */
  restartNode(port: number): Promise<{ ms: number }>;
  /**
   * SIGSTOPs the node (its connections stay open, it answers nothing: a hung server);
   * `resume` sends SIGCONT. Keep a paused master's pause under the 1 s node timeout, or
   * the cluster fails it over.
   */
  pauseNode(port: number): { resume(): void };
  /**
   * Moves `slot` with its keys to the master on `toPort`: IMPORTING, MIGRATING, MIGRATE,
   * then SETSLOT NODE on the target, the source and the other masters. `beforeCommit` runs
   * with the keys moved and the slot still migrating (clients get ASK for the moved keys).
   */
  migrateSlot(
    slot: number,
    toPort: number,
    options?: { beforeCommit?: () => Promise<void> },
  ): Promise<{ keys: number; ms: number }>;
  /** Kills every node this helper started and removes its directory. */
  stop(): Promise<void>;
}

export async function startRedisCluster(options: ClusterOptions = {}): Promise<RedisCluster> {
  const { masters = 3, replicasPerMaster = 1 } = options;
  const count = masters * (1 + replicasPerMaster);
  const dir = await mkdtemp(join(tmpdir(), 'pluto-rt-cluster-'));
  const ports = await freePorts(2 * count);
  const nodePorts = ports.slice(0, count);
  const busPort = new Map(nodePorts.map((p, i) => [p, ports[count + i]!]));
  const procs = new Map<number, RedisProcess>();
  const admin = adminConnections();
  const send = admin.send;

  const start = async (port: number): Promise<void> => {
    const args = serverArgs({
      port,
      bind: HOST,
      'cluster-enabled': 'yes',
      'cluster-port': busPort.get(port)!,
      'cluster-config-file': join(dir, `nodes-${port}.conf`),
      'cluster-node-timeout': NODE_TIMEOUT_MS,
      // A replica fails over however stale it thinks its data is; no replica wanders off.
      'cluster-replica-validity-factor': 0,
      'cluster-allow-replica-migration': 'no',
      // A replica syncs at once (the default waits 5 s for more replicas to share a transfer).
      'repl-diskless-sync-delay': 0,
      save: '',
      appendonly: 'no',
      dir,
      logfile: join(dir, `${port}.log`),
    });
    procs.set(port, await spawnRedis(args, port, join(dir, `${port}.log`)));
  };
  const alive = (): number[] => nodePorts.filter((p) => procs.has(p));

  const stop = async (): Promise<void> => {
    admin.close();
    await Promise.all([...procs.values()].map((p) => p.kill()));
    procs.clear();
    await rm(dir, { recursive: true, force: true });
  };

  const topology = async (): Promise<ClusterNodeInfo[]> => {
    let lastErr: unknown;
    for (const port of alive()) {
      try {
        return parseClusterNodes(String(await send(port, 'CLUSTER', 'NODES')));
      } catch (err) {
        lastErr = err;
      }
    }
    throw new Error(`no live cluster node answers: ${String(lastErr)}`);
  };

  /** Every live node: `cluster_state:ok`, the same slot map, no handshakes left; optionally more. */
  const settled = async (extra?: (slotMap: string) => boolean): Promise<boolean> => {
    const maps = await Promise.all(
      alive().map(async (port) => {
        if (infoField(await send(port, 'CLUSTER', 'INFO'), 'cluster_state') !== 'ok') return null;
        const nodes = String(await send(port, 'CLUSTER', 'NODES'));
        if (/handshake|noaddr/.test(nodes)) return null;
        return slotMapKey(await send(port, 'CLUSTER', 'SLOTS'));
      }),
    );
    const first = maps[0];
    return !!first && maps.every((m) => m === first) && (!extra || extra(first));
  };

  const linksUp = async (): Promise<boolean> => {
    const replicas = (await topology()).filter((n) => n.role === 'replica' && !n.failed);
    const states = await Promise.all(
      replicas.map(async (r) =>
        infoField(await send(r.port, 'INFO', 'replication'), 'master_link_status'),
      ),
    );
    return states.every((s) => s === 'up');
  };

  /**
   * Every live node knows every replica as one: a node learns roles by gossip, and until then
   * it lists a fresh replica as a master without slots (which linksUp would not check).
   */
  const rolesKnown = async (): Promise<boolean> => {
    const views = await Promise.all(
      alive().map(async (port) => parseClusterNodes(String(await send(port, 'CLUSTER', 'NODES')))),
    );
    const replicas = masters * replicasPerMaster;
    return views.every((nodes) => nodes.filter((n) => n.role === 'replica').length === replicas);
  };

  try {
    await Promise.all(nodePorts.map(start));
    await promisify(execFile)(
      'redis-cli',
      [
        ...['--cluster', 'create', ...nodePorts.map((p) => `${HOST}:${p}`)],
        ...['--cluster-replicas', String(replicasPerMaster), '--cluster-yes'],
      ],
      { timeout: SETTLE_TIMEOUT_MS },
    );
    await waitFor(() => settled(), 'every cluster node to say cluster_state:ok', SETTLE_TIMEOUT_MS);
    await waitFor(rolesKnown, 'every node to know every replica', SETTLE_TIMEOUT_MS);
    // A replica that never synced cannot stand in for its master.
    await waitFor(linksUp, 'every replica to sync with its master', SETTLE_TIMEOUT_MS);
  } catch (err) {
    await stop();
    throw err;
  }

  const masterList = async (): Promise<ClusterMaster[]> => {
    const nodes = await topology();
    return nodes
      .filter((n) => n.role === 'master' && !n.failed && n.slots.length > 0)
      .map((m) => ({
        host: m.host,
        port: m.port,
        id: m.id,
        slots: m.slots,
        replicas: nodes
          .filter((r) => r.masterId === m.id && !r.failed)
          .map((r) => ({ host: r.host, port: r.port })),
      }));
  };

  const nodeFor = async (keyOrSlot: string | number): Promise<Addr> => {
    const slot =
      typeof keyOrSlot === 'number'
        ? keyOrSlot
        : Number(await send(alive()[0]!, 'CLUSTER', 'KEYSLOT', keyOrSlot));
    const owner = (await masterList()).find((m) =>
      m.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (!owner) throw new Error(`no master serves slot ${slot}`);
    return { host: owner.host, port: owner.port };
  };

  const killNode = async (port: number): Promise<{ promoted?: Addr; ms: number }> => {
    const proc = procs.get(port);
    if (!proc) throw new Error(`node ${port} is not running`);
    const before = await topology();
    const victim = before.find((n) => n.port === port);
    const replicaPorts = before.filter((n) => n.masterId === victim?.id).map((n) => n.port);
    const t0 = Date.now();
    procs.delete(port);
    await proc.kill();
    if (victim?.role !== 'master' || victim.slots.length === 0) return { ms: Date.now() - t0 };
    let promoted: ClusterNodeInfo | undefined;
    await waitFor(
      async () => {
        promoted = (await topology()).find(
          (n) => replicaPorts.includes(n.port) && n.role === 'master' && n.slots.length > 0,
        );
        return !!promoted && settled((map) => !map.includes(`:${port}/`));
      },
      `a replica of ${port} to take over its slots`,
      SETTLE_TIMEOUT_MS,
    );
    return { promoted: { host: promoted!.host, port: promoted!.port }, ms: Date.now() - t0 };
  };

  const restartNode = async (port: number): Promise<{ ms: number }> => {
    if (procs.has(port)) throw new Error(`node ${port} is running`);
    const t0 = Date.now();
    await start(port);
    await waitFor(
      async () => {
        const views = await Promise.all(
          alive().map(async (p) => parseClusterNodes(String(await send(p, 'CLUSTER', 'NODES')))),
        );
        const known = views.every((v) => v.some((n) => n.port === port && !n.failed));
        return known && (await settled()) && linksUp();
      },
      `node ${port} to rejoin`,
      SETTLE_TIMEOUT_MS,
    );
    return { ms: Date.now() - t0 };
  };

  const migrateSlot = async (
    slot: number,
    toPort: number,
    options: { beforeCommit?: () => Promise<void> } = {},
  ): Promise<{ keys: number; ms: number }> => {
    const t0 = Date.now();
    const masters = await masterList();
    const source = masters.find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b));
    const target = masters.find((m) => m.port === toPort);
    if (!source || !target) throw new Error(`cannot move slot ${slot} to ${toPort}`);
    if (source.port === toPort) return { keys: 0, ms: 0 };
    // Target first: once the source says ASK, the target must already accept ASKING.
    await send(target.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id);
    await send(source.port, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', target.id);
    let moved = 0;
    const moveKeys = async (): Promise<void> => {
      for (;;) {
        const keys = (await send(source.port, 'CLUSTER', 'GETKEYSINSLOT', slot, 100)) as string[];
        if (keys.length === 0) return;
        await send(
          source.port,
          ...['MIGRATE', HOST, target.port, '', 0, 5_000, 'REPLACE', 'KEYS'],
          ...keys,
        );
        moved += keys.length;
      }
    };
    await moveKeys();
    await options.beforeCommit?.();
    await moveKeys();
    // Target first (it bumps its epoch and stops importing), then the source (its ASKs turn
    // into MOVED), then the rest so that no master keeps an old owner until gossip arrives.
    await send(target.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
    await send(source.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
    for (const m of masters) {
      if (m.port !== source.port && m.port !== target.port) {
        await send(m.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', target.id);
      }
    }
    await waitFor(
      () => settled((map) => slotOwner(map, slot) === toPort),
      `every node to see slot ${slot} on ${toPort}`,
      SETTLE_TIMEOUT_MS,
    );
    return { keys: moved, ms: Date.now() - t0 };
  };

  const pauseNode = (port: number): { resume(): void } => {
    const proc = procs.get(port);
    if (!proc) throw new Error(`node ${port} is not running`);
    proc.pause();
    return { resume: () => proc.resume() };
  };

  return {
    nodes: nodePorts.map((port) => ({ host: HOST, port })),
    masters: masterList,
    nodeFor,
    killNode,
    restartNode,
    pauseNode,
    migrateSlot,
    stop,
  };
}

/** Parses CLUSTER NODES (`id addr@bus flags master ... slots`); skips `[slot->-id]` entries. */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', addr = '', flags = '', master = '-', , , , , ...slotFields] = line
        .trim()
        .split(' ');
      const [host = HOST, port = '0'] = addr.split('@')[0]!.split(':');
      const flagList = flags.split(',');
      const slots = slotFields
        .filter((s) => !s.startsWith('['))
        .map((s): [number, number] => {
          const [a, b = a] = s.split('-');
          return [Number(a), Number(b)];
        });
      return {
        id,
        host,
        port: Number(port),
        role: flagList.includes('master') ? 'master' : 'replica',
        ...(master !== '-' ? { masterId: master } : {}),
        failed: flagList.includes('fail') || flagList.includes('fail?'),
        slots,
      } satisfies ClusterNodeInfo;
    });
}

/** CLUSTER SLOTS as a comparable string: `start-end:masterPort/replicaPort,...` per range. */
function slotMapKey(reply: unknown): string {
  return (reply as Array<[number, number, [string, number], ...Array<[string, number]>]>)
    .map(([a, b, master, ...replicas]) => {
      const rs = replicas.map((r) => r[1]).sort((x, y) => x - y);
      return `${a}-${b}:${master[1]}/${rs.join(',')}`;
    })
    .sort((x, y) => Number(x.split('-')[0]) - Number(y.split('-')[0]))
    .join(' ');
}

function slotOwner(mapKey: string, slot: number): number | undefined {
  for (const range of mapKey.split(' ')) {
    const [span = '', owner = ''] = range.split(':');
    const [a, b] = span.split('-').map(Number);
    if (slot >= a! && slot <= b!) return Number(owner.split('/')[0]);
  }
  return undefined;
}
