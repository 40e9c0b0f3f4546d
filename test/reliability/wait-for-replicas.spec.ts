import { itemNs } from '../helpers/merged-events.js';
import { RtNotReplicatedError, type PlutoRtModuleOptions, type RtQueue } from '../../lib/index.js';
import { RedisConnections } from '../../lib/store/redis-connections.js';
import { readRecord } from './helpers/failover-tally.js';
import { watchProcess, type ProcessWatch } from './helpers/process-watch.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { startRedisSentinel, type RedisSentinel } from '../helpers/redis-sentinel.js';
import type { Addr } from '../helpers/redis-process.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const COMMAND_TIMEOUT_MS = 2_000;
/**
 * A healthy replica confirms in about a millisecond and WAIT returns then, so the timeout does
 * not change the healthy latency measured here; it is generous because on a loaded 2-core CI
 * machine a replica process can be descheduled for more than 50 ms, which failed a healthy push.
 */
const WAIT = { replicas: 1, timeoutMs: 500 };
/** Sequential pushes per measurement, and pushes in flight at once in the concurrent one. */
const PUSHES = 300;
const CONCURRENCY = 10;
/** A push that the replica cannot confirm answers after WAIT's timeout: allow for a slow machine. */
const NOT_REPLICATED_SLACK_MS = 500;
const PAUSED_PUSHES = 5;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `p50 / p99` of `ms`, in ms with two decimals. */
function spread(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} / p99 ${percentile(sorted, 99).toFixed(2)} ms`;
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * Push latency with and without waitForReplicas on one deployment, measured in the same run:
 * one after another (interleaved, so that both see the same machine), and 10 at a time.
 */
async function measureLatency(label: string, waited: RtQueue[], plain: RtQueue[]): Promise<void> {
  const lone = { waited: [] as number[], plain: [] as number[] };
  for (let n = 0; n < PUSHES; n++) {
    lone.waited.push(await timed(() => waited[n % waited.length]!.push({ n, text: 'w' })));
    lone.plain.push(await timed(() => plain[n % plain.length]!.push({ n, text: 'p' })));
  }
  const concurrent = async (queues: RtQueue[]) => {
    const ms: number[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < PUSHES) {
          const n = next++;
          ms.push(await timed(() => queues[n % queues.length]!.push({ n, text: 'c' })));
        }
      }),
    );
    return { ms, perSecond: Math.round((PUSHES * 1000) / (Date.now() - started)) };
  };
  const plainConcurrent = await concurrent(plain);
  const waitedConcurrent = await concurrent(waited);
  process.stdout.write(
    `[wait-for-replicas] ${label} push latency, ${PUSHES} pushes one at a time: without waitForReplicas ${spread(lone.plain)}, ` +
      `with waitForReplicas ${JSON.stringify(WAIT)} ${spread(lone.waited)}; ${CONCURRENCY} at a time: ` +
      `without ${spread(plainConcurrent.ms)} (${plainConcurrent.perSecond}/s), with ${spread(waitedConcurrent.ms)} (${waitedConcurrent.perSecond}/s)\n`,
  );
}

/**
 * What a caller sees when the replica cannot confirm: with the replica SIGSTOPped, each
 * push rejects with RtNotReplicatedError (0 of 1 confirmed) after about WAIT's timeout,
 * and yet its item IS in the queue (written on the master, which does not undo it): readers
 * get it under the id the error carries, so a retry of that push shows the item twice.
 * Once the replica is back, pushes resolve again.
 */
async function replicaPaused(
  label: string,
  t: TestApp,
  queue: RtQueue,
  key: string,
  masterPort: number,
  pause: () => { resume(): void },
): Promise<void> {
  const name = queue.name;
  await queue.push({ n: 0, text: 'confirmed' });
  const client = await RawSseClient.open(
    t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse,
  );
  await client.untilItems(1);

  const paused = pause();
  const rejections: Array<{ err: unknown; ms: number }> = [];
  try {
    for (let n = 1; n <= PAUSED_PUSHES; n++) {
      const t0 = Date.now();
      const err = await queue.push({ n, text: 'unconfirmed' }).then(
        (id) => new Error(`push ${n} resolved (${id}) with the replica paused`),
        (e: unknown) => e,
      );
      rejections.push({ err, ms: Date.now() - t0 });
    }
  } finally {
    paused.resume();
  }
  const resumedAt = Date.now();
  await waitFor(
    async () =>
      (await queue.push({ n: PAUSED_PUSHES + 1, text: 'confirmed again' }).catch(() => 0)) !== 0,
    'a confirmed push once the replica runs again',
  );
  const backMs = Date.now() - resumedAt;
  await queue.complete();
  await client.until(() => client.events.some((e) => e.event === 'close'), 'event: close');

  const record = await readRecord(masterPort, key);
  const ms = rejections.map((r) => r.ms);
  process.stdout.write(
    `[wait-for-replicas] ${label}: replica paused, ${PAUSED_PUSHES} pushes rejected with RtNotReplicatedError in ${Math.min(...ms)}-${Math.max(...ms)} ms ` +
      `(timeoutMs ${WAIT.timeoutMs}), each stored on the master and delivered; confirmed again ${backMs} ms after the replica resumed\n`,
  );
  for (const { err, ms: latency } of rejections) {
    expect(err).toBeInstanceOf(RtNotReplicatedError);
    const e = err as RtNotReplicatedError;
    expect({ operation: e.operation, confirmed: e.confirmed, replicas: e.replicas }).toEqual({
      operation: 'push',
      confirmed: 0,
      replicas: 1,
    });
    expect(latency).toBeGreaterThanOrEqual(WAIT.timeoutMs - 5);
    expect(latency).toBeLessThanOrEqual(WAIT.timeoutMs + NOT_REPLICATED_SLACK_MS);
    // The write stands: the master holds it under the id the error names, readers got it.
    expect(record.map((r) => r.id)).toContain(e.id);
  }
  // Readers got every stored item, in order (so the rejected ones too), and each event's id
  // is its last item's entry id.
  const stored = record.filter((r) => !r.end);
  const ns = client.items.flatMap((i) => itemNs(i.data));
  expect(ns).toEqual(stored.map((r) => r.n));
  let shown = 0;
  for (const event of client.items) {
    shown += itemNs(event.data).length;
    expect(event.id).toBe(stored[shown - 1]!.id);
  }
  // Nothing repeated or lost: 0, the five unconfirmed ones, then the one after the resume
  // (pushes retried by waitFor are each either stored once or not at all).
  expect(ns.slice(0, PAUSED_PUSHES + 1)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(ns.slice(PAUSED_PUSHES + 1).every((n) => n === PAUSED_PUSHES + 1)).toBe(true);
}

describe('waitForReplicas on a real topology', () => {
  let watch: ProcessWatch;
  beforeEach(() => {
    watch = watchProcess();
  });
  afterEach(() => {
    expect(watch.rejections).toEqual([]);
    watch.stop();
  });

  const options = (redis: PlutoRtModuleOptions['redis'], wait: boolean) => ({
    options: {
      redis,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      ...(wait ? { waitForReplicas: WAIT } : {}),
    },
  });

  describe('Redis Cluster (3 masters, a replica each)', () => {
    let cluster: RedisCluster;
    let waited: TestApp;
    let plain: TestApp;
    beforeAll(async () => {
      cluster = await startRedisCluster();
      const redis = { cluster: { nodes: cluster.nodes } };
      [waited, plain] = await Promise.all([
        startTestApp(options(redis, true)),
        startTestApp(options(redis, false)),
      ]);
    }, 30_000);
    afterAll(async () => {
      await Promise.all([waited?.close(), plain?.close()]);
      await cluster?.stop();
    });

    /** A fresh queue of `t` whose master is on `port`. */
    async function queueOn(t: TestApp, port: number): Promise<RtQueue> {
      for (;;) {
        const name = t.rt.createQueueName();
        if ((await cluster.nodeFor(t.key(name))).port === port) return t.rt.get(name);
      }
    }

    it('with healthy replicas every push resolves; latency with and without, on every master', async () => {
      const masters = await cluster.masters();
      const w = await Promise.all(masters.map((m) => queueOn(waited, m.port)));
      const p = await Promise.all(masters.map((m) => queueOn(plain, m.port)));
      await measureLatency('cluster', w, p);
    }, 60_000);

    it("a push whose replica is SIGSTOPped rejects with RtNotReplicatedError after timeoutMs, its item stored; other masters' pushes resolve", async () => {
      const [master, other] = (await cluster.masters()).filter((m) => m.replicas.length > 0);
      const queue = await queueOn(waited, master!.port);
      const elsewhere = await queueOn(waited, other!.port);
      await replicaPaused('cluster', waited, queue, waited.key(queue.name), master!.port, () =>
        cluster.pauseNode(master!.replicas[0]!.port),
      );
      await expect(elsewhere.push({ n: 0, text: 'other shard' })).resolves.toMatch(/^\d+-\d+$/);
    }, 30_000);
  });

  describe('Sentinel (a master and a replica)', () => {
    let sentinel: RedisSentinel;
    let redis: PlutoRtModuleOptions['redis'];
    let waited: TestApp;
    let plain: TestApp;
    beforeAll(async () => {
      sentinel = await startRedisSentinel();
      redis = { options: { sentinels: sentinel.sentinels, name: sentinel.name } };
      [waited, plain] = await Promise.all([
        startTestApp(options(redis, true)),
        startTestApp(options(redis, false)),
      ]);
    }, 30_000);
    afterAll(async () => {
      await Promise.all([waited?.close(), plain?.close()]);
      await sentinel?.stop();
    });

    it('with the replica healthy every push resolves; latency with and without', async () => {
      const queues = (t: TestApp) => [t.rt.get(t.rt.createQueueName())];
      await measureLatency('sentinel', queues(waited), queues(plain));
    }, 60_000);

    it('a push whose replica is SIGSTOPped rejects with RtNotReplicatedError after timeoutMs, its item stored', async () => {
      const master: Addr = await sentinel.master();
      const [replica] = await sentinel.replicas();
      const queue = waited.rt.get(waited.rt.createQueueName());
      await replicaPaused('sentinel', waited, queue, waited.key(queue.name), master.port, () =>
        sentinel.pauseNode(replica!.port),
      );
    }, 30_000);

    it('a waited push needs its own connection only: it resolves while the command connection reconnects', async () => {
      // A fresh app: nothing has asked the server's version (the pub/sub kind) yet.
      const t = await startTestApp(options(redis, true));
      try {
        const connections = t.app.get(RedisConnections);
        await waitFor(() => connections.waited?.status === 'ready', 'the waited connection');
        // A real reconnect (a network blip): the command connection is not writable until
        // it is back, and a write that waits for replicas never uses it.
        connections.command.disconnect(true);
        const queue = t.rt.get(t.rt.createQueueName());
        await expect(queue.push({ n: 1, text: 'one' })).resolves.toMatch(/^\d+-\d+$/);
      } finally {
        await t.close();
      }
    }, 30_000);
  });
});
