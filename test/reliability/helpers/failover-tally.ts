import { RtNotReplicatedError, RtRedisUnavailableError } from '../../../lib/index.js';
import { itemsOfEvents } from '../../helpers/merged-events.js';
import { send } from '../../helpers/redis-process.js';
import type { RawSseClient } from '../../helpers/sse-client.js';
import type { PacedProducer, PushOutcome } from './paced-producer.js';

/** One entry of a queue's stream as Redis holds it: the item's `n`, or the end marker. */
export interface RecordEntry {
  id: string;
  n?: number;
  end: boolean;
}

/** XRANGE of `key` on the server at `port` (the master that serves it): the record. */
export async function readRecord(port: number, key: string): Promise<RecordEntry[]> {
  const entries = (await send(port, 'XRANGE', key, '-', '+')) as Array<[string, string[]]>;
  return entries.map(([id, [field, value]]) =>
    field === 'd'
      ? { id, n: (JSON.parse(value!) as { n: number }).n, end: false }
      : { id, end: true },
  );
}

/** A queue of a failover run: its producer, its never-reconnecting SSE client, its record. */
export interface FailoverLane {
  name: string;
  producer: PacedProducer;
  client: RawSseClient;
  record: RecordEntry[];
}

/** What a failover did to the pushes and the streams of its queues. */
export interface FailoverTally {
  /** Pushes that resolved (acknowledged). */
  acked: number;
  /** Acknowledged pushes whose item is not in the record after the failover. */
  ackedLost: number;
  /** Items that the record holds more than once (one push, two entries). */
  repeatedInRecord: number;
  /**
   * Queues whose record does not hold its items in call order (`n` increasing), although
   * their producers called pushes without awaiting each other, from two handles.
   */
  outOfOrderInRecord: number;
  /** Entries (by id) or items (by n) that a client received more than once. */
  repeatedAtClients: number;
  /** Clients that received entries out of id order. */
  outOfOrderClients: number;
  /** Entries of the record that a client never received. */
  missedByClients: number;
  /** Pushes rejected with RtRedisUnavailableError. */
  unavailable: PushOutcome[];
  /** Pushes rejected with RtNotReplicatedError (written on the master, not confirmed). */
  notReplicated: PushOutcome[];
  /** Pushes rejected with anything else (descriptions). */
  otherErrors: string[];
  /**
   * Pushes rejected with RtRedisUnavailableError whose item is in the record anyway, by when
   * Redis wrote it (the time in its entry id, same clock): before the rejection (the push was
   * in flight and its answer was lost or late: the README's caveat), or after it (written
   * later behind the caller's back: never allowed).
   */
  storedAfterUnavailable: { answerLost: number; writtenLater: number };
  /** The pushes written after their rejection, with when Redis wrote each (epoch ms). */
  writtenLater: Array<PushOutcome & { writtenAt: number }>;
}

/** Compares the pushes, records and clients of a failover run. */
export function tallyFailover(lanes: FailoverLane[]): FailoverTally {
  const tally: FailoverTally = {
    acked: 0,
    ackedLost: 0,
    repeatedInRecord: 0,
    outOfOrderInRecord: 0,
    repeatedAtClients: 0,
    outOfOrderClients: 0,
    missedByClients: 0,
    unavailable: [],
    notReplicated: [],
    otherErrors: [],
    storedAfterUnavailable: { answerLost: 0, writtenLater: 0 },
    writtenLater: [],
  };
  for (const { producer, client, record } of lanes) {
    const items = record.filter((e) => !e.end);
    const stored = new Map(items.map((e) => [e.n, e.id]));
    tally.repeatedInRecord += items.length - stored.size;
    if (!items.every((e, i) => i === 0 || items[i - 1]!.n! < e.n!)) tally.outOfOrderInRecord++;
    for (const push of producer.outcomes) {
      if (push.id !== undefined) {
        tally.acked++;
        if (!stored.has(push.n)) tally.ackedLost++;
      } else if (push.error instanceof RtRedisUnavailableError) {
        tally.unavailable.push(push);
        const id = stored.get(push.n);
        const writtenAt = Number(id?.split('-')[0]);
        if (id !== undefined && writtenAt <= push.settledAt) {
          tally.storedAfterUnavailable.answerLost++;
        } else if (id !== undefined) {
          tally.storedAfterUnavailable.writtenLater++;
          tally.writtenLater.push({ ...push, writtenAt });
        }
      } else if (push.error instanceof RtNotReplicatedError) {
        tally.notReplicated.push(push);
      } else {
        tally.otherErrors.push(String(push.error));
      }
    }
    const shown = itemsOfEvents(client.items, (n) => stored.get(n));
    const ids = shown.map((e) => e.id);
    const ns = shown.map((e) => e.n);
    tally.repeatedAtClients += ids.length - new Set(ids).size + (ns.length - new Set(ns).size);
    if (!ids.every((id, i) => i === 0 || compareIds(ids[i - 1]!, id) < 0))
      tally.outOfOrderClients++;
    const received = new Set(ids);
    tally.missedByClients += items.filter((e) => !received.has(e.id)).length;
  }
  return tally;
}

function compareIds(a: string, b: string): number {
  const [ams, aseq] = a.split('-').map(Number) as [number, number];
  const [bms, bseq] = b.split('-').map(Number) as [number, number];
  return ams !== bms ? ams - bms : aseq - bseq;
}

/** The largest settle time of `pushes`, in ms (0 for none). */
export function maxLatency(pushes: PushOutcome[]): number {
  return pushes.reduce((max, o) => Math.max(max, o.settledAt - o.startedAt), 0);
}
