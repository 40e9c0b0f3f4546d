import { RtNotReplicatedError, RtRedisUnavailableError, type RtQueue } from '../../../lib/index.js';
import { send } from '../../helpers/redis-process.js';
import { RawSseClient } from '../../helpers/sse-client.js';
import type { TestApp } from '../../helpers/test-app.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  maxLatency,
  readRecord,
  tallyFailover,
  type FailoverLane,
  type FailoverTally,
} from './failover-tally.js';
import { PacedProducer, type PushOutcome } from './paced-producer.js';

const PUSHES_BEFORE = 30;
const PUSHES_AFTER = 20;

/** What a failover run needs to know of the Redis deployment under the app. */
export interface FailoverTopology {
  /** Kills the master that serves the victim queues; resolves once a replica serves them. */
  kill(): Promise<{ promotedPort: number; ms: number }>;
  /** Starts the killed node again as a replica, so that waitForReplicas can be met again. */
  rejoin(): Promise<{ ms: number }>;
  /** The port of the master that serves `key` now. */
  masterOf(key: string): Promise<number>;
}

export interface FailoverRun {
  /** Every queue (victims and others together). */
  tally: FailoverTally;
  /**
   * The queues that the dead master did not serve (a cluster refuses every write while a
   * master's slots are uncovered: cluster-require-full-coverage).
   */
  others: FailoverTally;
  /** SIGKILL to the promoted replica serving (as the deployment reports it). */
  failoverMs: number;
  /**
   * The longest wait of a dead master's queue for writes: from its first rejected push to the
   * next one stored (acknowledged, or not replicated).
   */
  writeOutageMs: number;
  rejoinMs: number;
  /** Largest settle time of a push rejected with RtRedisUnavailableError. */
  maxUnavailableMs: number;
  /** End markers written on the promoted master while no reader listened to their channel. */
  unheardEnds: number;
  /** complete() calls answered RtNotReplicatedError (the marker is stored all the same). */
  completionsNotReplicated: number;
  /** complete() rejections other than RtRedisUnavailableError / RtNotReplicatedError. */
  completeErrors: string[];
  killedAt: number;
}

/** Subscribers of `channel` on the server at `port`, sharded and classic together. */
async function listeners(port: number, channel: string): Promise<number> {
  const [sharded, classic] = await Promise.all(
    ['SHARDNUMSUB', 'NUMSUB'].map(async (kind) =>
      Number(((await send(port, 'PUBSUB', kind, channel)) as unknown[])[1]),
    ),
  );
  return sharded! + classic!;
}

/**
 * A master failover in the middle of a job, as a user would live it. Each queue gets an SSE
 * client that never reconnects and a paced producer. Once every queue has 30 pushes, the
 * master of the `victims` is killed; when a replica serves them, half of the victims
 * complete at once (their end marker's wake-up likely reaches nobody: the reader has not
 * re-subscribed yet), the dead node rejoins as a replica, and the other queues push on
 * (20 acknowledged pushes each) and complete. Resolves once every stream has ended, with
 * what happened to each push and each stream; the caller asserts.
 */
export async function runFailover(
  t: TestApp,
  victims: string[],
  others: string[],
  topology: FailoverTopology,
): Promise<FailoverRun> {
  const lanes = await Promise.all(
    [...victims, ...others].map(async (name, i) => {
      const queue = t.rt.get(name);
      await queue.push({ n: -1, text: 'start' });
      const client = await RawSseClient.open(
        t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse,
      );
      await client.untilItems(1);
      return {
        name,
        queue,
        client,
        onVictim: i < victims.length,
        endsAtOnce: i < victims.length / 2,
        // Up to 3 pushes on their way at once, from two handles: the record must keep call order.
        producer: new PacedProducer(queue, 5, 0, { inFlight: 3, handles: [t.rt.get(name)] }),
      };
    }),
  );
  // A failed step must not leave producers pushing into a closed app (one did, for minutes,
  // its outcomes filling the memory) nor streams open.
  try {
    await waitFor(
      () => lanes.every((l) => l.producer.ok.length >= PUSHES_BEFORE),
      `${PUSHES_BEFORE} pushes onto each queue before the kill`,
    );

    const killedAt = Date.now();
    const { promotedPort, ms: failoverMs } = await topology.kill();
    const promotedAt = Date.now();

    const completions: string[] = [];
    const completeErrors: string[] = [];
    /** complete() through the failover: retried while it fails, then what it answered. */
    const complete = async (queue: RtQueue) => {
      let last: unknown;
      const answer = await waitFor(
        async () => {
          try {
            await queue.complete();
            return 'ok';
          } catch (err) {
            last = err;
            if (err instanceof RtNotReplicatedError) return 'not-replicated';
            if (!(err instanceof RtRedisUnavailableError)) completeErrors.push(String(err));
            return undefined;
          }
        },
        'complete() to reach the promoted master',
        15_000,
      ).catch((err: unknown) => {
        throw new Error(`${String(err)} (last answer: ${String(last)})`);
      });
      completions.push(answer);
    };

    let unheardEnds = 0;
    await Promise.all(
      lanes
        .filter((l) => l.endsAtOnce)
        .map(async (lane) => {
          await lane.producer.stop();
          await complete(lane.queue);
          if ((await listeners(promotedPort, t.key(lane.name))) === 0) unheardEnds++;
        }),
    );

    const { ms: rejoinMs } = await topology.rejoin();
    const rejoinedAt = Date.now();
    const going = lanes.filter((l) => !l.endsAtOnce);
    await waitFor(
      () =>
        going.every(
          (l) => l.producer.ok.filter((o) => o.startedAt > rejoinedAt).length >= PUSHES_AFTER,
        ),
      `${PUSHES_AFTER} acknowledged pushes onto each open queue after the rejoin`,
      15_000,
    );
    await Promise.all(going.map((l) => l.producer.stop()));
    await Promise.all(going.map((l) => complete(l.queue)));

    // No client reconnects: each stream must resume on the server and end by itself.
    await Promise.all(
      lanes.map((l) =>
        l.client.until(
          () => l.client.events.some((e) => e.event === 'close'),
          `event: close on ${l.name}${l.onVictim ? ` (dead master's, ${l.endsAtOnce ? 'completed at once' : 'completed last'})` : ''}`,
          20_000,
        ),
      ),
    ).catch((err: unknown) => {
      throw new Error(`${String(err).split('; got:')[0]}; hub: ${JSON.stringify(t.rt.stats())}`);
    });

    const all: FailoverLane[] = await Promise.all(
      lanes.map(async (l) => ({
        ...l,
        record: await readRecord(await topology.masterOf(t.key(l.name)), t.key(l.name)),
      })),
    );
    const tally = tallyFailover(all);
    // Per dead master's queue that pushed on: from its first rejected push to the next stored.
    const outages = lanes
      .filter((l) => l.onVictim && !l.endsAtOnce)
      .map(({ producer: { outcomes } }) => {
        const first = outcomes.findIndex((o) => o.startedAt >= killedAt && o.error !== undefined);
        if (first === -1) return 0;
        const back = outcomes
          .slice(first)
          .find((o) => o.id !== undefined || o.error instanceof RtNotReplicatedError);
        return (back?.settledAt ?? promotedAt) - outcomes[first]!.startedAt;
      });
    return {
      tally,
      others: tallyFailover(all.filter((_, i) => !lanes[i]!.onVictim)),
      failoverMs,
      writeOutageMs: Math.max(...outages),
      rejoinMs,
      maxUnavailableMs: maxLatency(tally.unavailable),
      unheardEnds,
      completionsNotReplicated: completions.filter((c) => c === 'not-replicated').length,
      completeErrors,
      killedAt,
    };
  } finally {
    await Promise.all(lanes.map((l) => l.producer.stop()));
    for (const l of lanes) l.client.destroy();
  }
}

function describeGhost(push: PushOutcome & { writtenAt: number }, killedAt: number): string {
  return (
    `push ${push.n} sent ${push.startedAt - killedAt} ms after the kill, rejected after ` +
    `${push.settledAt - push.startedAt} ms, written ${push.writtenAt - push.settledAt} ms ` +
    `after that: ${String(push.error)}`
  );
}

/** The run as one line of figures (for the report and BENCHMARKS). */
export function describeRun(run: FailoverRun, commandTimeoutMs: number): string {
  const { tally } = run;
  const others =
    run.others.unavailable.length + run.others.notReplicated.length + run.others.otherErrors.length;
  return (
    `failover ${run.failoverMs} ms, write outage ${run.writeOutageMs} ms, rejoin ${run.rejoinMs} ms; ` +
    `pushes acked ${tally.acked}, rejected RtRedisUnavailableError ${tally.unavailable.length} ` +
    `(max ${run.maxUnavailableMs} ms, commandTimeoutMs ${commandTimeoutMs}), ` +
    `RtNotReplicatedError ${tally.notReplicated.length}, other errors ${tally.otherErrors.length}` +
    `${tally.otherErrors.length ? ` (${tally.otherErrors[0]})` : ''}; ` +
    `ACKNOWLEDGED LOST ${tally.ackedLost}, repeated ${tally.repeatedInRecord + tally.repeatedAtClients}, ` +
    `queues stored out of call order ${tally.outOfOrderInRecord}, ` +
    `stored although rejected unavailable ${JSON.stringify(tally.storedAfterUnavailable)}` +
    `${tally.writtenLater.length ? ` (e.g. ${describeGhost(tally.writtenLater[0]!, run.killedAt)})` : ''}, ` +
    `end markers unheard ${run.unheardEnds}, completions not replicated ${run.completionsNotReplicated}, ` +
    `complete() errors ${run.completeErrors.length}` +
    (run.others.acked > 0 ? `, pushes to other masters rejected ${others}` : '')
  );
}
