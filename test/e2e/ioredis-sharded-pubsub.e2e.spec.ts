// What ioredis 6 does with sharded pub/sub and WAIT on a real cluster, pinned so that an
// ioredis upgrade that changes it fails here first.
import { Cluster } from 'ioredis';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { send } from '../helpers/redis-process.js';
import { waitFor } from '../helpers/wait-for.js';

const PUSH = `#!lua
redis.call('XADD', KEYS[1], '*', 'd', ARGV[1])
return redis.call('SPUBLISH', KEYS[2], ARGV[1])`;

/** A channel name that hashes to a slot of the master on `port`. */
async function channelOn(cluster: RedisCluster, port: number, prefix: string): Promise<string> {
  for (let i = 0; ; i++) {
    if ((await cluster.nodeFor(`${prefix}${i}`)).port === port) return `${prefix}${i}`;
  }
}

/** Connection names on the node at `port` that contain `name`. */
async function connections(port: number, name: string): Promise<string[]> {
  const list = String(await send(port, 'CLIENT', 'LIST'))
    .trim()
    .split('\n');
  return list
    .flatMap((line) => / name=(\S+)/.exec(line)?.[1] ?? [])
    .filter((n) => n.includes(name));
}

describe('ioredis 6 Cluster: sharded pub/sub and WAIT', () => {
  let cluster: RedisCluster;
  let sub: Cluster;
  let pub: Cluster;
  const got: Array<[string, string]> = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    sub = new Cluster(cluster.nodes, {
      shardedSubscribers: true,
      redisOptions: { connectionName: 'spec-sub' },
    });
    pub = new Cluster(cluster.nodes);
    // A sharded-subscriber Cluster emits 'error' for every failed subscriber reconnect.
    sub.on('error', () => {});
    pub.on('error', () => {});
    sub.on('smessage', (channel: string, message: string) => got.push([channel, message]));
  }, 30_000);

  afterAll(async () => {
    sub?.disconnect();
    pub?.disconnect();
    await cluster?.stop();
  });

  /** Publishes until the subscriber hears it: bounded, no fixed sleeps. */
  const heard = (channel: string, message: string) =>
    waitFor(
      async () => {
        if (got.some(([c, m]) => c === channel && m === message)) return true;
        await pub.spublish(channel, message);
        return false;
      },
      `${message} on ${channel}`,
      10_000,
    );

  it('ssubscribe goes to the slot master, on one subscriber connection per master', async () => {
    const masters = await cluster.masters();
    const channels = await Promise.all(masters.map((m) => channelOn(cluster, m.port, 'sp:a')));
    for (const channel of channels) await sub.ssubscribe(channel);
    await sub.ssubscribe(await channelOn(cluster, masters[0]!.port, 'sp:b'));

    for (const m of masters) {
      expect(await connections(m.port, 'ioredis-cluster(ssubscriber):spec-sub')).toHaveLength(1);
    }
    for (const channel of channels) expect(await pub.spublish(channel, 'hi')).toBe(1);
    await waitFor(() => got.length >= 3, 'three smessage events');
    expect(got).toEqual(expect.arrayContaining(channels.map((c) => [c, 'hi'])));
    // All channels of one ssubscribe call must share a slot.
    await expect(sub.ssubscribe('sp:x', 'sp:y')).rejects.toThrow(/CROSSSLOT/);
  });

  it('SPUBLISH from a script with the channel in KEYS; WAIT in the same pipeline', async () => {
    const channel = 'sp:{q}chan';
    await sub.ssubscribe(channel);

    // A pipeline goes to the slot of its keys: WAIT runs on the connection that wrote.
    const replies = await pub
      .pipeline()
      .eval(PUSH, 2, 'sp:{q}stream', channel, 'one')
      .wait(1, 2_000)
      .exec();

    expect(replies).toEqual([
      [null, 1],
      [null, 1],
    ]);
    await waitFor(() => got.some(([c, m]) => c === channel && m === 'one'), 'the script message');
    await expect(pub.eval("return redis.call('WAIT', 1, 0)", 1, channel)).rejects.toThrow(
      /not allowed from script/,
    );
  });

  it('resubscribes by itself after a slot migration and after a failover', async () => {
    const channel = 'sp:{moving}chan';
    await sub.ssubscribe(channel);
    await heard(channel, 'before');
    const slot = Number(await pub.cluster('KEYSLOT', channel));
    const from = await cluster.nodeFor(slot);
    const to = (await cluster.masters()).find((m) => m.port !== from.port)!;

    await cluster.migrateSlot(slot, to.port);
    await heard(channel, 'after migration');
    expect(await connections(to.port, 'ioredis-cluster(ssubscriber):spec-sub')).toHaveLength(1);

    await cluster.killNode(to.port);
    await heard(channel, 'after failover');
  });
});
