import type { Cluster } from 'ioredis';
import type { PlutoRtModuleOptions } from '../../lib/index.js';
import { RedisConnections } from '../../lib/store/redis-connections.js';
import { itemsOfEvents } from '../helpers/merged-events.js';
import { deliveryReport, exactlyOnceInOrder } from './helpers/delivery-report.js';
import { busyCounters } from './helpers/idle-stats.js';
import { PacedProducer } from './helpers/paced-producer.js';
import { watchProcess, type ProcessWatch } from './helpers/process-watch.js';
import { seededRng, suiteSeed, type Rng } from './helpers/seeded-rng.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { send } from '../helpers/redis-process.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const STREAMS = 20;
const MESSAGES = 500;
/** Queues whose end marker is written while their slot is half-moved (its wake-up is lost). */
const ENDS_IN_MIGRATION = 5;
/** Pushes each move waits for while the keys are on the target and the slot is not yet. */
const PUSHES_HALF_MOVED = 3;

/** `items` in an order drawn from `rng` (Fisher-Yates). */
function shuffled<T>(items: T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A promise and the function that resolves it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

interface Lane {
  name: string;
  key: string;
  slot: number;
  client: RawSseClient;
  producer: PacedProducer;
  /** Resolved when the producer waits at its gate (a random push mid-stream). */
  atGate: Promise<void>;
  openGate: () => void;
  endsHalfMoved: boolean;
  /** The id of the item that started the queue (n = -1). */
  first: string;
}

/**
 * 20 queues, each followed by an SSE client that never reconnects, receive 500 items from
 * paced producers while the slot of every queue is moved to another master in the middle
 * of its stream. Pushes land during each move: on the source, then (ASK) on the target
 * while the reader still listens on the source, so their wake-ups are lost, then (MOVED)
 * on the target. For 5 queues the end marker itself is written half-moved. Every stream
 * must get its 500 items once, in order, and end with `event: close`; no push may fail.
 */
describe('Redis Cluster: slot migration mid-stream', () => {
  let cluster: RedisCluster;
  let watch: ProcessWatch;
  const rng = seededRng(suiteSeed('cluster-migration'));

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 30_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  beforeEach(() => {
    watch = watchProcess();
  });
  afterEach(() => watch.stop());

  async function migrateMidStream(label: string, options: Partial<PlutoRtModuleOptions>) {
    const t = await startTestApp({
      options: {
        redis: { cluster: { nodes: cluster.nodes } },
        commandTimeoutMs: 2_000,
        ...options,
      },
    });
    const reader = t.app.get(RedisConnections).reader as Cluster;
    let subscribersReady = 0;
    const onReady = () => subscribersReady++;
    reader.on('subscribersReady', onReady);
    try {
      const endsHalfMoved = new Set<number>();
      while (endsHalfMoved.size < ENDS_IN_MIGRATION) endsHalfMoved.add(rng.int(0, STREAMS - 1));
      const lanes: Lane[] = [];
      for (let i = 0; i < STREAMS; i++) {
        const name = t.rt.createQueueName();
        const key = t.key(name);
        const queue = t.rt.get(name);
        // The first item starts the queue: each client follows a live stream from its start.
        const first = await queue.push({ n: -1, text: 'start' });
        const client = await RawSseClient.open(
          t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse,
        );
        const gateAt = rng.int(50, MESSAGES - 100);
        const reached = latch();
        const gate = latch();
        const producer = new PacedProducer(queue, 5, 0, {
          limit: MESSAGES,
          gate: (n) => {
            if (n !== gateAt) return undefined;
            reached.open();
            return gate.promise;
          },
        });
        lanes.push({
          name,
          key,
          slot: Number(await send(cluster.nodes[0]!.port, 'CLUSTER', 'KEYSLOT', key)),
          client,
          producer,
          atGate: reached.promise,
          openGate: gate.open,
          endsHalfMoved: endsHalfMoved.has(i),
          first,
        });
      }
      await Promise.all(lanes.map((l) => l.client.untilItems(1)));

      const moves: Array<{ ms: number; keys: number }> = [];
      let pushesHalfMoved = 0;
      let unheardEnds = 0;
      const failedCompletes: string[] = [];
      /** Moves the lane's slot to another master, running `during` while it is half-moved. */
      const move = async (lane: Lane, during: (toPort: number) => Promise<void>) => {
        const from = await cluster.nodeFor(lane.slot);
        const to = rng.pick((await cluster.masters()).filter((m) => m.port !== from.port));
        moves.push(
          await cluster.migrateSlot(lane.slot, to.port, { beforeCommit: () => during(to.port) }),
        );
        expect((await cluster.nodeFor(lane.slot)).port).toBe(to.port);
      };

      // Mid-stream: each producer waits at its gate until its queue's slot starts to move,
      // then pushes on through the move (at least 3 times while it is half done).
      for (const lane of shuffled(lanes, rng)) {
        await lane.atGate;
        lane.openGate();
        await move(lane, async () => {
          const before = lane.producer.outcomes.length;
          await waitFor(
            () => lane.producer.outcomes.length >= Math.min(before + PUSHES_HALF_MOVED, MESSAGES),
            `${PUSHES_HALF_MOVED} pushes onto ${lane.name} while its slot is half-moved`,
          );
          pushesHalfMoved += lane.producer.outcomes.length - before;
        });
      }
      await Promise.all(lanes.map((l) => l.producer.done));

      // The end: most queues complete as usual; five complete while their slot is half-moved,
      // so that the wake-up of the end marker goes to a master that nobody listens to yet.
      for (const lane of lanes) {
        const queue = t.rt.get(lane.name);
        if (!lane.endsHalfMoved) {
          await queue.complete();
          continue;
        }
        let completed = true;
        await move(lane, async (toPort) => {
          await queue.complete().catch((err: unknown) => {
            failedCompletes.push(String(err));
            completed = false;
          });
          const [, listeners] = (await send(toPort, 'PUBSUB', 'SHARDNUMSUB', lane.key)) as [
            string,
            number,
          ];
          if (completed && Number(listeners) === 0) unheardEnds++;
        });
        if (!completed) await queue.complete(); // recorded as a failure; the run goes on
      }
      // No client reconnects: each stream must follow its queue on the server, and end.
      await Promise.all(
        lanes.map((l) =>
          l.client.until(
            () => l.client.events.some((e) => e.event === 'close'),
            `event: close on ${l.name}${l.endsHalfMoved ? ' (completed half-moved)' : ''}`,
            20_000,
          ),
        ),
      ).catch((err: unknown) => {
        throw new Error(`${String(err).split('; got:')[0]}; hub: ${JSON.stringify(t.rt.stats())}`);
      });

      const failed = [
        ...lanes.flatMap((l) => l.producer.failed.map((o) => String(o.error))),
        ...failedCompletes.map((err) => `complete: ${err}`),
      ];
      const shown = lanes.map(({ producer, client, first }) => {
        const idOf = new Map(producer.ok.map((o) => [o.n, o.id!]));
        return itemsOfEvents(client.items, (n) => (n === -1 ? first : idOf.get(n)));
      });
      const reports = lanes.map(({ producer }, i) =>
        deliveryReport(
          producer.ok.map((o) => o.id!),
          shown[i]!.slice(1).map((e) => e.id),
        ),
      );
      const ms = moves.map((m) => m.ms).sort((a, b) => a - b);
      process.stdout.write(
        `[cluster-migration] ${label} (seed ${rng.seed}): ${STREAMS} streams x ${MESSAGES} items, ${moves.length} slot moves ` +
          `(${STREAMS} mid-stream, ${ENDS_IN_MIGRATION} with the end marker written half-moved), keys moved ${moves.reduce((s, m) => s + m.keys, 0)}, ` +
          `move ms p50 ${ms[Math.floor(ms.length / 2)]} max ${ms.at(-1)}, pushes while half-moved ${pushesHalfMoved}, ` +
          `end markers unheard ${unheardEnds}/${ENDS_IN_MIGRATION}, subscribersReady ${subscribersReady}; ` +
          `pushes failed ${failed.length}${failed.length ? ` (${failed[0]})` : ''}, ` +
          `lost ${reports.reduce((s, r) => s + r.lost, 0)}, repeated ${reports.reduce((s, r) => s + r.duplicated, 0)}, streams closed ${STREAMS}/${STREAMS}\n`,
      );
      // Redirections are the client's business: a move never fails a push.
      expect(failed.slice(0, 3)).toEqual([]);
      lanes.forEach(({ name, client }, i) => {
        expect({ queue: name, ...reports[i] }).toEqual({
          queue: name,
          ...exactlyOnceInOrder(MESSAGES),
        });
        expect(shown[i]!.map((e) => e.n)).toEqual([
          -1,
          ...Array.from({ length: MESSAGES }, (_, n) => n),
        ]);
        expect(client.events.at(-1)).toMatchObject({ event: 'close', data: 'complete' });
      });
      await Promise.all(lanes.map((l) => l.client.untilEnd()));
      await waitFor(() => t.rt.stats().streams === 0, 'streams released');
      expect(busyCounters(t.rt.stats())).toEqual({});
      expect(watch.rejections).toEqual([]);
      expect(watch.exceptions).toEqual([]);
    } finally {
      reader.off('subscribersReady', onReady);
      await t.close();
    }
  }

  it(`without waitForReplicas: ${STREAMS} streams x ${MESSAGES} items while every queue's slot moves: 0 lost, 0 repeated, no push fails, every stream ends`, async () => {
    await migrateMidStream('without waitForReplicas', {});
  }, 60_000);

  it('with waitForReplicas: the same, each push and its WAIT following the slot', async () => {
    // A generous timeout: this run is about following the slot, not about a loaded machine
    // keeping replication under 50 ms (wait-for-replicas.spec.ts measures that).
    await migrateMidStream('with waitForReplicas', {
      waitForReplicas: { replicas: 1, timeoutMs: 500 },
    });
  }, 60_000);
});
