import { readEnd, storeEnd } from '../queue/end-reason.js';
import { Inject, Injectable } from '@nestjs/common';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RtQueueFullError, RtRedisUnavailableError } from '../errors.js';
import { BoundedCommands } from './bounded-command.js';
import { scriptsFor } from './lua-scripts.js';
import { QueueKeys } from './queue-keys.js';
import { RedisConnections, type RedisClient } from './redis-connections.js';
import { ScriptWrites } from './script-writes.js';
import { RtEntry } from './rt-entry.js';
import { WaitGate } from './wait-gate.js';
import { WaitedWrites } from './waited-writes.js';
import { START_ID } from './stream-id.js';
import { MAX_PUSH_BATCH, WriteChain } from './write-chain.js';

/** Why a queue has no stream: never pushed to (or abandoned and expired), or completed and expired. */
export type QueueAbsence = 'not-started' | 'gone';

/** A page of a queue's entries; `more` when it stopped at a limit: entries may follow. */
export interface Page {
  entries: RtEntry[];
  more: boolean;
}

/** Bytes of items that a page holds at most, beyond its first entry. */
export const PAGE_BYTES = 128 * 1024;
/**
 * Reads of one process out at once: with PAGE_BYTES each, what Redis holds for the
 * process's readers and what a push may queue behind stays within a few MB.
 */
export const READS_IN_FLIGHT = 128;

/**
 * The queues in Redis: one stream per queue, written and read only through here. Writes go
 * through the write chain (call order) as their scripts (ScriptWrites); reads come in pages,
 * a bounded number of them out at once.
 */
@Injectable()
export class StreamStore {
  readonly keys: QueueKeys;
  private readonly redis: RedisClient;
  private readonly commands: BoundedCommands;
  private readonly writes: WriteChain;
  private readonly reads = new WaitGate(READS_IN_FLIGHT, 0);

  constructor(
    connections: RedisConnections,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
  ) {
    this.redis = connections.command;
    this.keys = new QueueKeys(config.keyPrefix, connections.clientKeyPrefix);
    this.commands = new BoundedCommands(connections, config.commandTimeoutMs);
    const { waited } = connections;
    const wait = config.waitForReplicas;
    const waitedWrites = waited &&
      wait && {
        client: waited,
        writes: new WaitedWrites(waited, wait, config.commandTimeoutMs),
      };
    const scripts = new ScriptWrites(
      this.keys,
      this.commands,
      this.redis,
      config,
      waitedWrites || undefined,
    );
    this.writes = new WriteChain((name, write) => scripts.send(name, write), MAX_PUSH_BATCH);
  }

  /** Appends a serialised item; resolves to its entry id. */
  async push(name: string, json: string): Promise<string> {
    const id = await this.writes.push(name, json, this.commands.deadline());
    if (id === undefined) throw new RtQueueFullError(name, this.config.maxMessages);
    return id;
  }

  /**
   * Appends a serialised item if `position` is past the queue's told position, whoever told
   * it: its entry id, or undefined when it was not (what several processes tell once each,
   * in order: see jobs/job-items).
   */
  pushTold(name: string, json: string, position: number): Promise<string | undefined> {
    return this.writes.pushTold(name, json, position, this.commands.deadline());
  }

  /** Appends the end marker (once) and shortens the queue's life to the completed expiry. */
  complete(name: string, ending = storeEnd({ reason: 'complete' })): Promise<string> {
    return this.writes.complete(name, ending, this.commands.deadline());
  }

  /**
   * A page of entries after `after`: at most `count`, and past the first at most PAGE_BYTES
   * of items; `not-started` when the queue has no stream (yet); `gone` when it was completed
   * and has expired. At most READS_IN_FLIGHT reads of the process are out at once: a flood
   * of readers waits here (and fails with RtRedisUnavailableError after commandTimeoutMs),
   * and pushes, on the same connection, queue behind a bounded amount of replies.
   */
  async read(
    name: string,
    after: string,
    count: number,
    sending: () => void = () => undefined,
  ): Promise<Page | QueueAbsence> {
    const start = after === START_ID ? '-' : `(${after}`;
    const keys = [this.keys.stream(name), this.keys.tombstone(name)];
    const deadline = this.commands.deadline();
    const release = await this.reads.enter(deadline);
    if (!release) {
      const ahead = new Error(`the ${READS_IN_FLIGHT} reads ahead of it did not answer in time`);
      throw new RtRedisUnavailableError('read', ahead);
    }
    try {
      const raw = (await this.commands.run(
        'read',
        (kind) => {
          sending();
          return scriptsFor(kind).read.run(this.redis, keys, [start, count, PAGE_BYTES]);
        },
        this.redis,
        deadline,
      )) as [number, ...string[]] | 0 | null;
      if (raw === null) return 'not-started';
      if (raw === 0) return 'gone';
      return { entries: toEntries(raw), more: raw[0] === 1 };
    } finally {
      release();
    }
  }

  /** Marks that a cancel was asked for queue `name`'s job (for as long as a URL may be used). */
  async markCancel(name: string): Promise<void> {
    const ttl = Math.max(this.config.idleTtlSeconds, this.config.urlTtlSeconds);
    await this.commands.run('cancel', () => this.redis.set(this.keys.cancel(name), '1', 'EX', ttl));
  }

  /** Whether a cancel was asked for queue `name`'s job. */
  async cancelAsked(name: string): Promise<boolean> {
    const found = await this.commands.run('cancel', () =>
      this.redis.exists(this.keys.cancel(name)),
    );
    return found === 1;
  }

  /**
   * Which of `names` no longer exist: one EXISTS per queue (each key in its own slot on a
   * cluster), sent together.
   */
  async missing(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const exists = await this.commands.run('sweep', () =>
      Promise.all(names.map((name) => this.redis.exists(this.keys.stream(name)))),
    );
    return names.filter((_, i) => exists[i] === 0);
  }
}

/** The read script's flat reply, `more, id, json, ...` ('' or `!<ending>` for the end marker). */
function toEntries(flat: [number, ...string[]]): RtEntry[] {
  const entries = new Array<RtEntry>((flat.length - 1) / 2);
  for (let i = 0; i < entries.length; i++) {
    const json = flat[2 * i + 2] as string;
    const id = flat[2 * i + 1] as string;
    if (json === '') entries[i] = new RtEntry(id, undefined);
    else if (json[0] === '!') entries[i] = new RtEntry(id, undefined, readEnd(json.slice(1)));
    else entries[i] = new RtEntry(id, json);
  }
  return entries;
}
