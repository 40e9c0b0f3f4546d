// The module on a Redis Cluster of its own (3 masters + 3 replicas): queues spread over every
// master, and whatever the number of open streams the module holds at most one command
// connection and one sharded subscriber per master, none on a replica, and an idle stream
// costs no node a command. A private cluster: INFO commandstats counts every client's
// commands, and the project's cluster is shared with other suites.
import http from 'node:http';
import { openStreamsWithHistory, type RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import {
  commandsRun,
  connectionsByNode,
  keysByMaster,
  subscriberCounts,
} from '../helpers/redis-inspect.js';
import { startPrivateRedis, type RedisTarget } from '../helpers/topology.js';
import { waitFor } from '../helpers/wait-for.js';

const STREAMS = 1_000;
const WAVE = 100;
const QUEUES_PER_MASTER = 10;
const IDLE_WINDOW_MS = 3_000;

/** Per node: its role, and the module's command connections and subscribers there. */
interface NodeCount {
  node: string;
  role: 'master' | 'replica';
  commands: number;
  subscribers: number;
}

describe('the module on a Redis Cluster (e2e)', () => {
  let cluster: RedisTarget;
  let t: TestApp;
  let queues: string[] = [];
  const agent = new http.Agent({ keepAlive: false, maxSockets: STREAMS });
  const clients: RawSseClient[] = [];

  beforeAll(async () => {
    cluster = await startPrivateRedis('cluster');
    // Keepalives every second and sweeps every 200 ms: several pass in the idle window.
    t = await startTestApp({
      redis: cluster,
      options: { keepaliveMs: 1_000, sweepIntervalMs: 200 },
    });
    queues = await t.queuesOnEveryMaster(QUEUES_PER_MASTER);
    for (const name of queues) await t.rt.get(name).push({ n: 1, text: 'ready' });
  }, 30_000);

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await waitFor(() => t.rt.stats().streams === 0, 'all streams to be released');
  });

  afterAll(async () => {
    await t?.close();
    agent.destroy();
    await cluster?.stop();
  });

  /** Opens `count` streams over the queues, WAVE at a time (page loads, not a flood). */
  async function openStreams(count: number): Promise<RawSseClient[]> {
    const urls = Array.from({ length: count }, (_, i) => {
      const name = queues[(clients.length + i) % queues.length]!;
      return t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
    });
    const opened = await openStreamsWithHistory(urls, clients, { agent, wave: WAVE });
    for (const client of opened) expect(client.status).toBe(200);
    return opened;
  }

  async function countsByNode(): Promise<NodeCount[]> {
    return (await connectionsByNode(t.redis, t.clientName)).map(({ node, role, names }) => ({
      node,
      role,
      commands: names.filter((name) => name === t.clientName).length,
      subscribers: names.filter((name) => name !== t.clientName).length,
    }));
  }

  it('spreads queues over every master, each with its keys on one master', async () => {
    const spread = Array.from({ length: 60 }, () => t.rt.createQueueName());
    for (const name of spread) await t.rt.get(name).push({ n: 1, text: 'where?' });

    const byMaster = await keysByMaster(t.redis, `${t.prefix}*`);
    expect(byMaster.size).toBe(3);
    for (const name of spread) {
      const holders = [...byMaster].filter(([, keys]) => keys.includes(t.key(name)));
      expect(holders).toHaveLength(1);
      expect(holders[0]![1]).toContain(t.tombstone(name));
    }
    const spreadOn = [...byMaster.values()].map(
      (keys) => spread.filter((name) => keys.includes(t.key(name))).length,
    );
    for (const n of spreadOn) expect(n).toBeGreaterThan(0);
  });

  it(`holds one command connection and one subscriber per master from 1 to ${STREAMS} streams, none on replicas`, async () => {
    await openStreams(1);
    const withOne = await countsByNode();
    await openStreams(STREAMS - 1);
    const withAll = await countsByNode();
    const show = (nodes: NodeCount[]) =>
      nodes.map((n) => `${n.role} ${n.node} ${n.commands}+${n.subscribers}`).join(', ');
    console.log(
      `[cluster] the module's connections per node (commands+subscribers), with 1 stream: ` +
        `${show(withOne)}; with ${STREAMS}: ${show(withAll)}`,
    );

    const masters = withAll.filter((n) => n.role === 'master');
    const replicas = withAll.filter((n) => n.role === 'replica');
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    // One stream: a command connection on each master (the queues' pushes went to all of
    // them) and a subscriber on its queue's master alone.
    expect(withOne.map((n) => n.commands)).toEqual(
      withOne.map((n) => (n.role === 'master' ? 1 : 0)),
    );
    expect(withOne.reduce((sum, n) => sum + n.subscribers, 0)).toBe(1);
    expect(t.rt.stats()).toMatchObject({ streams: STREAMS, queues: queues.length, catchingUp: 0 });
    for (const node of masters) expect(node).toMatchObject({ commands: 1, subscribers: 1 });
    for (const node of replicas) expect(node).toMatchObject({ commands: 0, subscribers: 0 });
    // One subscription per queue, however many of its streams are open.
    expect(await subscriberCounts(t.redis, queues.map(t.key))).toEqual(queues.map(() => 1));
  });

  it(`sends no command to any node over ${IDLE_WINDOW_MS / 1000} idle seconds with ${STREAMS} open streams`, async () => {
    const opened = await openStreams(STREAMS);
    const keepalivesBefore = opened.map((client) => client.comments.length);

    const before = await commandsRun(cluster.nodes);
    // The observation window is the point of this test: every node must stay quiet through it.
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    const after = await commandsRun(cluster.nodes);

    const sent = after.map((n, i) => n - before[i]!);
    console.log(`[cluster] commands per node over the idle window: ${sent.join(', ')}`);
    expect(sent).toEqual(cluster.nodes.map(() => 0));
    opened.forEach((client, i) => {
      expect(client.ended).toBe(false);
      expect(client.comments.length).toBeGreaterThan(keepalivesBefore[i]!);
    });
  });
});
