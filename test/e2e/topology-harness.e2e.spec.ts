// The real-topology helpers work: an ioredis client keeps its data through a slot migration
// and a master crash (Cluster), and through a master crash with failover (Sentinel).
import { Cluster, Redis } from 'ioredis';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedisSentinel, type RedisSentinel } from '../helpers/redis-sentinel.js';
import { infoField, send } from '../helpers/redis-process.js';
import { waitFor } from '../helpers/wait-for.js';

/** Bound on a crash-to-promotion failover (measured ~2.5 s with a 1 s node timeout). */
const FAILOVER_BOUND_MS = 10_000;

/** How many `-<prefix> ...` errors (MOVED, ASK) the node has replied so far. */
async function redirects(port: number, prefix: 'MOVED' | 'ASK'): Promise<number> {
  const field = infoField(await send(port, 'INFO', 'errorstats'), `errorstat_${prefix}`);
  return Number(/count=(\d+)/.exec(field ?? '')?.[1] ?? 0);
}

describe('startRedisCluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  /** The master the failover test kills, and the replica that takes over. */
  let killed: number | undefined;
  let promotedPort: number | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(cluster.nodes);
    client.on('error', () => {});
  }, 30_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('starts 3 masters with a replica each, serving every slot', async () => {
    const masters = await cluster.masters();
    expect(masters).toHaveLength(3);
    expect(masters.every((m) => m.replicas.length === 1)).toBe(true);
    const slots = masters.flatMap((m) => m.slots).reduce((n, [a, b]) => n + b - a + 1, 0);
    expect(slots).toBe(16384);
  });

  it('SET/GET through the client, keys landing on more than one master', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `harness:k${i}`);
    for (const key of keys) await client.set(key, `v:${key}`);
    for (const key of keys) expect(await client.get(key)).toBe(`v:${key}`);
    const owners = new Set(
      await Promise.all(keys.map(async (k) => (await cluster.nodeFor(k)).port)),
    );
    expect(owners.size).toBeGreaterThanOrEqual(2);
  });

  it('migrates a slot with its key; the client follows ASK during it and MOVED after', async () => {
    const key = 'harness:{migrate}a';
    await client.set(key, 'before');
    const slot = Number(await client.cluster('KEYSLOT', key));
    const from = await cluster.nodeFor(slot);
    const to = (await cluster.masters()).find((m) => m.port !== from.port)!;

    const asks = await redirects(from.port, 'ASK');
    const { keys } = await cluster.migrateSlot(slot, to.port, {
      // The key has moved, the slot is still the source's: the source answers ASK.
      beforeCommit: async () => {
        expect(await client.get(key)).toBe('before');
        await client.set('harness:{migrate}b', 'during');
      },
    });

    expect(keys).toBe(1);
    expect(await redirects(from.port, 'ASK')).toBe(asks + 2);
    expect((await cluster.nodeFor(slot)).port).toBe(to.port);
    expect(await send(to.port, 'CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(2);
    // The client still maps the slot to the source, which now answers MOVED.
    const moves = await redirects(from.port, 'MOVED');
    expect(await client.get(key)).toBe('before');
    expect(await redirects(from.port, 'MOVED')).toBe(moves + 1);
    expect(await client.get('harness:{migrate}b')).toBe('during');
  });

  it('promotes the replica of a killed master in bounded time; the client recovers', async () => {
    const key = 'harness:{failover}k';
    await client.set(key, 'kept');
    const victim = await cluster.nodeFor(key);
    // WAIT on the pool connection that wrote (a keyless client.wait() goes to any master).
    const conn = client.nodes('master').find((n) => n.options.port === victim.port)!;
    expect(await conn.wait(1, 2_000)).toBe(1);

    const { promoted, ms } = await cluster.killNode(victim.port);

    expect(ms).toBeLessThan(FAILOVER_BOUND_MS);
    expect(promoted).toBeDefined();
    expect((await cluster.nodeFor(key)).port).toBe(promoted!.port);
    await waitFor(
      async () => (await client.get(key)) === 'kept',
      'the client to read after failover',
      5_000,
    );
    await client.set(key, 'after');
    expect(await client.get(key)).toBe('after');
    killed = victim.port;
    promotedPort = promoted!.port;
  });

  it('restarts the killed master; it comes back as a replica of the promoted one', async () => {
    expect(killed).toBeDefined();
    await cluster.restartNode(killed!);

    const owner = (await cluster.masters()).find((m) => m.port === promotedPort)!;
    expect(owner.replicas.map((r) => r.port)).toEqual([killed]);
    const [role] = (await send(killed!, 'ROLE')) as [string];
    expect(role).toBe('slave');
  });
});

describe('startRedisSentinel', () => {
  let sentinel: RedisSentinel;
  let client: Redis;

  beforeAll(async () => {
    sentinel = await startRedisSentinel();
    client = new Redis({ sentinels: sentinel.sentinels, name: sentinel.name });
    client.on('error', () => {});
  }, 30_000);

  afterAll(async () => {
    client?.disconnect();
    await sentinel?.stop();
  });

  it('writes through the master, fails over when it dies, and writes to the new one', async () => {
    await client.set('harness:s', 'one');
    const first = await sentinel.master();
    expect(await client.wait(1, 2_000)).toBe(1);

    const { old, promoted, ms } = await sentinel.killMaster();

    expect(old.port).toBe(first.port);
    expect(promoted.port).not.toBe(first.port);
    expect(ms).toBeLessThan(FAILOVER_BOUND_MS);
    await waitFor(
      async () => (await client.set('harness:s', 'two')) === 'OK',
      'a write after failover',
      10_000,
    );
    expect(await client.get('harness:s')).toBe('two');
    const [role] = (await client.role()) as [string];
    expect(role).toBe('master');
    expect(await send(promoted.port, 'GET', 'harness:s')).toBe('two');
  });
});
