// What tests inspect in Redis, asked of the right nodes whether it is one server or a
// cluster: keys live on the masters, a sharded channel on the master of its slot, the
// module's connections on any node, and every node counts the commands it runs.
import { Cluster, Redis } from 'ioredis';
import { parseClusterNodes } from './redis-cluster.js';
import { infoField, send, type Addr } from './redis-process.js';

/** A client for inspecting a server (Redis) or a cluster (Cluster). */
export type Inspector = Redis | Cluster;

/** One node's connections of the module, by role there. */
export interface NodeConnections {
  /** `host:port` */
  node: string;
  role: 'master' | 'replica';
  /** The name of each of the module's connections to this node. */
  names: string[];
}

/** The server, or every master of the cluster (once `redis` has connected). */
async function mastersOf(redis: Inspector): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return redis.nodes('master');
}

/** The keys matching `pattern` on each master, by its `host:port` (SCAN). */
export async function keysByMaster(
  redis: Inspector,
  pattern: string,
): Promise<Map<string, string[]>> {
  const masters = await mastersOf(redis);
  const perMaster = await Promise.all(
    masters.map(async (node) => {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      return keys;
    }),
  );
  return new Map(masters.map((node, i) => [address(node), perMaster[i]!]));
}

/** The keys matching `pattern` (on every master). */
export async function keysMatching(redis: Inspector, pattern: string): Promise<string[]> {
  return [...(await keysByMaster(redis, pattern)).values()].flat();
}

/** Deletes the keys under `prefix`, one by one (never a FLUSHDB: the server may be shared). */
export async function deletePrefix(redis: Inspector, prefix: string): Promise<void> {
  const keys = await keysMatching(redis, `${prefix}*`);
  // A cluster routes each DEL to its key's master; one DEL of many keys would span slots.
  await Promise.all(keys.map((key) => redis.del(key)));
}

/**
 * The subscribers of each channel (sharded and classic on a server; sharded on the master
 * that serves the channel's slot on a cluster, the only place it can have any).
 */
export async function subscriberCounts(redis: Inspector, channels: string[]): Promise<number[]> {
  const counts = async (node: Redis, kind: 'SHARDNUMSUB' | 'NUMSUB', names: string[]) => {
    const reply = (await node.call('PUBSUB', kind, ...names)) as Array<string | number>;
    return reply.filter((_, i) => i % 2 === 1).map(Number);
  };
  if (redis instanceof Cluster) {
    return Promise.all(
      channels.map(async (channel) => {
        const [n = 0] = await counts(await masterOf(redis, channel), 'SHARDNUMSUB', [channel]);
        return n;
      }),
    );
  }
  const [sharded, classic] = await Promise.all([
    counts(redis, 'SHARDNUMSUB', channels),
    counts(redis, 'NUMSUB', channels),
  ]);
  return sharded.map((n, i) => n + classic[i]!);
}

/** `host:port` of every master (the server itself on a standalone one). */
export async function masterAddresses(redis: Inspector): Promise<string[]> {
  return (await mastersOf(redis)).map(address);
}

/** `host:port` of the master that serves `key` (the server itself on a standalone one). */
export async function masterAddressOf(redis: Inspector, key: string): Promise<string> {
  return address(await masterOf(redis, key));
}

/** The master that serves `key`'s slot, as the cluster itself says now. */
async function masterOf(redis: Inspector, key: string): Promise<Redis> {
  if (!(redis instanceof Cluster)) return redis;
  const slot = Number(await redis.cluster('KEYSLOT', key));
  const range = (await redis.cluster('SLOTS')).find(([a, b]) => slot >= a && slot <= b);
  const [host, port] = range?.[2] ?? [];
  const master = (await mastersOf(redis)).find((node) => address(node) === `${host}:${port}`);
  if (!master) throw new Error(`no connection to ${host}:${port}, the master of slot ${slot}`);
  return master;
}

function address(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

/**
 * The module's connections on every node. A connection is the module's when its name is
 * `name`, or `ioredis-cluster(<part>):name` (how ioredis names a cluster's subscribers).
 */
export async function connectionsByNode(
  redis: Inspector,
  name: string,
): Promise<NodeConnections[]> {
  return (await clientLists(redis)).map(({ node, role, clients }) => ({
    node,
    role,
    names: clients.filter((line) => isModuleClient(line, name)).map(clientName),
  }));
}

/** Number of the module's connections (see connectionsByNode), over every node. */
export async function clientCount(redis: Inspector, name: string): Promise<number> {
  const nodes = await connectionsByNode(redis, name);
  return nodes.reduce((sum, node) => sum + node.names.length, 0);
}

/** Channels each of the module's connections is subscribed to (`sub=` plus `ssub=`), sorted. */
export async function subscriptionsOf(redis: Inspector, name: string): Promise<number[]> {
  return (await clientLists(redis))
    .flatMap(({ clients }) => clients.filter((line) => isModuleClient(line, name)))
    .map(
      (line) => Number(/ sub=(\d+) /.exec(line)?.[1]) + Number(/ ssub=(\d+) /.exec(line)?.[1] ?? 0),
    )
    .sort();
}

/**
 * CLIENT LIST of every node: the server, or each live master and replica in CLUSTER NODES
 * (the client's own pool may not know the replicas: CLUSTER SLOTS leaves out a replica
 * that has not replicated anything yet), on a connection of its own; masters first, then
 * replicas, each by port.
 */
async function clientLists(redis: Inspector): Promise<NodeClients[]> {
  const lines = (list: unknown) => String(list).split('\n').filter(Boolean);
  if (!(redis instanceof Cluster)) {
    return [
      {
        node: address(redis),
        role: 'master',
        clients: lines(await redis.client('LIST')),
      },
    ];
  }
  const nodes = parseClusterNodes(String(await redis.cluster('NODES')))
    .filter((node) => !node.failed)
    .sort((a, b) => a.role.localeCompare(b.role) || a.port - b.port);
  return Promise.all(
    nodes.map(async ({ host, port, role }) => {
      const node = new Redis({ host, port, maxRetriesPerRequest: 1, retryStrategy: () => null });
      try {
        return {
          node: `${host}:${port}`,
          role,
          clients: lines(await node.client('LIST')),
        };
      } finally {
        node.disconnect();
      }
    }),
  );
}

interface NodeClients {
  node: string;
  role: 'master' | 'replica';
  /** Its CLIENT LIST, a line per connection. */
  clients: string[];
}

function isModuleClient(line: string, name: string): boolean {
  const named = clientName(line);
  return (
    named === name || (/^ioredis-cluster\([a-z]+\):/.test(named) && named.endsWith(`:${name}`))
  );
}

function clientName(line: string): string {
  return / name=(\S*) /.exec(line)?.[1] ?? '';
}

/**
 * How many commands each of `nodes` (on loopback: the tests started them) has run, leaving
 * out what is no client's doing: the readings' own (HELLO, INFO: one connection each), and
 * replication's (a replica's REPLCONF ACK to its master every second, and the master's PING
 * heartbeat that a replica runs).
 */
export async function commandsRun(nodes: Addr[]): Promise<number[]> {
  return Promise.all(
    nodes.map(async ({ port }) => {
      const info = String(await send(port, 'INFO', 'commandstats', 'replication'));
      const replica = infoField(info, 'role') === 'slave';
      let calls = 0;
      for (const [, command, n] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        const replication = command === 'replconf' || (replica && command === 'ping');
        if (!replication && command !== 'hello' && command !== 'info') calls += Number(n);
      }
      return calls;
    }),
  );
}
