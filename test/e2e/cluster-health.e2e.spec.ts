// The health indicator on a Redis Cluster of its own (3 masters, no replicas): one entry per
// master for the command connection and one for its sharded subscriber; a hung master is
// reported down within the timeout while the others stay up.
import { TerminusModule } from '@nestjs/terminus';
import { Cluster } from 'ioredis';
import request from 'supertest';
import { PlutoRtHealthIndicator } from '../../lib/terminus/index.js';
import { HealthController } from '../readme-example/health/health.controller.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

interface Connection {
  connection: string;
  node: string;
  status: string;
}

describe('PlutoRtHealthIndicator on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let t: TestApp;
  let masters: string[];

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    const nodes = cluster.nodes;
    t = await startTestApp({
      redis: {
        option: { cluster: { nodes } },
        nodes,
        inspector: () => new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 } }),
        stop: () => cluster.stop(),
      },
      imports: [TerminusModule],
      controllers: [HealthController],
      providers: [PlutoRtHealthIndicator],
    }).catch(async (err: unknown) => {
      await cluster.stop();
      throw err;
    });
    masters = (await cluster.masters()).map((m) => `${m.host}:${m.port}`).sort();
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  const connections = async () => {
    const res = await request(t.url).get('/health');
    const own = (res.body as { details: Record<string, { connections: Connection[] }> }).details[
      'pluto-rt'
    ]!;
    return { status: res.status, connections: own.connections };
  };
  const nodesOf = (list: Connection[], kind: string) =>
    list
      .filter((c) => c.connection === kind)
      .map((c) => c.node)
      .sort();

  it('reports the command connection and the sharded subscriber of every master', async () => {
    // A stream on a queue of every master: each master's subscriber is in use.
    const queues = await t.queuesOnEveryMaster(1);
    for (const name of queues) await t.rt.get(name).push({ n: 1 });
    const clients = await Promise.all(
      queues.map((name) => RawSseClient.open(t.url + t.rt.rtUrls(name).sse)),
    );
    await Promise.all(clients.map((c) => c.untilItems(1)));
    try {
      const up = await waitFor(async () => {
        const h = await connections();
        return h.status === 200 && nodesOf(h.connections, 'reader').length === 3 ? h : undefined;
      }, 'every master reported up');
      expect(nodesOf(up.connections, 'command')).toEqual(masters);
      expect(nodesOf(up.connections, 'reader')).toEqual(masters);
      expect(up.connections.every((c) => c.status === 'up')).toBe(true);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('reports a hung master down within the timeout, and the others up', async () => {
    const [host, port] = masters[0]!.split(':');
    const paused = cluster.pauseNode(Number(port));
    let h: Awaited<ReturnType<typeof connections>>;
    const started = Date.now();
    try {
      h = await connections();
    } finally {
      paused.resume();
    }
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(h.status).toBe(503);
    const down = h.connections.filter((c) => c.status === 'down').map((c) => c.node);
    expect(new Set(down)).toEqual(new Set([`${host}:${port}`]));
    expect(h.connections.filter((c) => c.status === 'up').length).toBeGreaterThanOrEqual(2);
    await waitFor(async () => (await connections()).status === 200, 'health up after SIGCONT');
  });
});
