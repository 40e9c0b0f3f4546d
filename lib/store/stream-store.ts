import { Inject, Injectable } from '@nestjs/common';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import {
  RtError,
  RtQueueCompleteError,
  RtQueueFullError,
  RtRedisUnavailableError,
} from '../errors.js';
import { scriptsFor, type LuaScript, type QueueScripts } from './lua-scripts.js';
import { MAX_PUSH_BATCH, PushBatches } from './push-batches.js';
import { RedisConnections, type PubSubKind, type RedisClient } from './redis-connections.js';
import { RtEntry } from './rt-entry.js';
import { WaitedWrites } from './waited-writes.js';
import { START_ID } from './stream-id.js';

/** How long a command that Redis refused without running it waits before it is sent again. */
const NOT_RUN_RETRY_MS = 50;

/** Why a queue has no stream: never pushed to (or abandoned and expired), or completed and expired. */
export type QueueAbsence = 'not-started' | 'gone';

/**
 * The queues in Redis: one stream per queue, written and read only through here. A queue's
 * keys and channel share the hash tag `{queue}`, so that each script touches one slot and
 * queues spread over a cluster's masters.
 */
@Injectable()
export class StreamStore {
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly waited?: WaitedWrites;
  private readonly batches: PushBatches;

  constructor(
    private readonly connections: RedisConnections,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
  ) {
    this.redis = connections.command;
    this.prefix = config.keyPrefix;
    const { waited } = connections;
    const wait = config.waitForReplicas;
    this.waited = waited && wait && new WaitedWrites(waited, wait, config.commandTimeoutMs);
    // A write that waits for replicas answers for its own item only.
    this.batches = new PushBatches(this.waited ? 1 : MAX_PUSH_BATCH);
  }

  /** Redis key of a queue's stream, as the command client sees it (and the script's channel). */
  key(name: string): string {
    return `${this.prefix}{${name}}`;
  }

  /**
   * The key that remembers that a queue started, after its stream expired, so that a late
   * reader hears "gone" rather than waiting for a start (`:` is not in queue names).
   */
  private tombstoneKey(name: string): string {
    return `${this.key(name)}:started`;
  }

  /**
   * The channel that a push to queue `name` publishes on: its key as Redis sees it (with the
   * command client's own ioredis prefix, which the script's KEYS carry).
   */
  channel(name: string): string {
    return this.connections.clientKeyPrefix + this.key(name);
  }

  /** The queue whose pushes `channel` carries, or undefined for another channel. */
  queueOf(channel: string): string | undefined {
    const head = `${this.connections.clientKeyPrefix}${this.prefix}{`;
    if (!channel.startsWith(head) || !channel.endsWith('}')) return undefined;
    return channel.slice(head.length, -1);
  }

  /**
   * How long a queue reads as gone after its stream expired: as long as a URL signed for it
   * may still be used. (It must outlive the stream: max(completed, idle) does not when
   * completedTtlSeconds >= idleTtlSeconds, and a started-then-abandoned queue needs one too.)
   */
  private goneWindow(): number {
    return Math.max(this.config.idleTtlSeconds, this.config.urlTtlSeconds);
  }

  /** Appends a serialised item; resolves to its entry id. */
  async push(name: string, json: string): Promise<string> {
    const { idleTtlSeconds, maxMessages } = this.config;
    const goneTtl = idleTtlSeconds + this.goneWindow();
    try {
      const id = await this.batches.add(name, json, (take) =>
        this.write(
          'push',
          (s) => s.push,
          name,
          () => [idleTtlSeconds, maxMessages, goneTtl, ...take()],
        ),
      );
      if (id === undefined) throw new RtQueueFullError(name, maxMessages);
      return id;
    } catch (err) {
      if (isReply(err, 'PLUTO_RT_COMPLETE')) throw new RtQueueCompleteError(name);
      if (isReply(err, 'PLUTO_RT_FULL')) throw new RtQueueFullError(name, maxMessages);
      throw err;
    }
  }

  /** Appends the end marker (once) and shortens the queue's life to the completed expiry. */
  async complete(name: string): Promise<string> {
    const { completedTtlSeconds } = this.config;
    const goneTtl = completedTtlSeconds + this.goneWindow();
    this.batches.close(name);
    return (await this.write(
      'complete',
      (s) => s.complete,
      name,
      () => [completedTtlSeconds, goneTtl],
    )) as string;
  }

  /**
   * Up to `count` entries after `after`; `not-started` when the queue has no stream (yet);
   * `gone` when it was completed and has expired.
   */
  async read(name: string, after: string, count: number): Promise<RtEntry[] | QueueAbsence> {
    const start = after === START_ID ? '-' : `(${after}`;
    const keys = [this.key(name), this.tombstoneKey(name)];
    const raw = (await this.run('read', async (kind) =>
      scriptsFor(kind).read.run(this.redis, keys, [start, count]),
    )) as string[] | 0 | null;
    if (raw === null) return 'not-started';
    if (raw === 0) return 'gone';
    return toEntries(raw);
  }

  /**
   * Which of `names` no longer exist: one EXISTS per queue (each key in its own slot on a
   * cluster), sent together.
   */
  async missing(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const exists = await this.run('sweep', () =>
      Promise.all(names.map((name) => this.redis.exists(this.key(name)))),
    );
    return names.filter((_, i) => exists[i] === 0);
  }

  /**
   * Runs a write script on the queue's keys, waiting for replicas when so configured; its
   * `args` are taken when it is sent.
   */
  private write(
    operation: string,
    pick: (scripts: QueueScripts) => LuaScript,
    name: string,
    args: () => Array<string | number>,
  ): Promise<unknown> {
    const key = this.key(name);
    const keys = [key, this.tombstoneKey(name), key];
    const deadline = Date.now() + this.config.commandTimeoutMs;
    const waited = this.waited;
    return this.run(
      operation,
      async (kind, stillWanted) => {
        const script = pick(scriptsFor(kind));
        if (waited) return waited.write(operation, script, keys, args(), deadline, stillWanted);
        return script.run(this.redis, keys, args(), stillWanted);
      },
      this.connections.waited ?? this.redis,
    );
  }

  /**
   * Runs `work` once `client` is ready, all within `commandTimeoutMs`. A reply that says that
   * Redis did not run the command (CLUSTERDOWN during a failover, TRYAGAIN) is retried here
   * while there is time; nothing is sent once the caller has heard RtRedisUnavailableError
   * (ioredis's own delayed retries are off for that reason: see RedisConnections).
   */
  private async run<T>(
    operation: string,
    work: (kind: PubSubKind, stillWanted: () => boolean) => Promise<T>,
    client: RedisClient = this.redis,
  ): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const { commandTimeoutMs } = this.config;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const what = client.status === 'ready' ? 'no answer' : 'not connected';
        reject(
          new RtRedisUnavailableError(
            operation,
            new Error(`${what} within ${commandTimeoutMs} ms`),
          ),
        );
      }, commandTimeoutMs);
    });
    const giveUpAt = Date.now() + commandTimeoutMs - NOT_RUN_RETRY_MS;
    let settled = false;
    /** Whether the caller still waits: a second send (a retry, a redirection) checks it. */
    const stillWanted = () => !settled;
    const attempt = (async () => {
      for (;;) {
        await this.connections.whenReady(client, operation);
        // Ready just after the caller heard that it failed: too late to send anything.
        if (settled) throw new RtRedisUnavailableError(operation, new Error('gave up'));
        try {
          return await work(await this.connections.pubsubKind(this.redis), stillWanted);
        } catch (err) {
          if (err instanceof RtError) throw err;
          if (isReplyError(err) && !isUnavailableReply(err)) throw err;
          // It did not run (a cluster without a master for its slot, a slot half-moved):
          // try again while there is time. Nothing is re-sent behind the caller's back.
          if (!(isReplyError(err) && isNotRunReply(err)) || Date.now() >= giveUpAt) {
            throw new RtRedisUnavailableError(operation, err);
          }
          await new Promise((resolve) => setTimeout(resolve, NOT_RUN_RETRY_MS));
          if (settled) throw new RtRedisUnavailableError(operation, err);
        }
      }
    })();
    try {
      return await Promise.race([attempt, deadline]);
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }
}

/** The read script's flat reply, `id, json, ...` with '' for the end marker, as entries. */
function toEntries(flat: string[]): RtEntry[] {
  const entries = new Array<RtEntry>(flat.length / 2);
  for (let i = 0; i < entries.length; i++) {
    const json = flat[2 * i + 1]!;
    entries[i] = new RtEntry(flat[2 * i]!, json === '' ? undefined : json);
  }
  return entries;
}

function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

/**
 * Replies that say that the command did not run because of where the data is or the state
 * of the server (a slot moving, a failover, a replica, a load): Redis is unavailable to it.
 */
function isUnavailableReply(err: Error): boolean {
  return /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN|READONLY|LOADING|MASTERDOWN) /.test(err.message);
}

/** Replies of a command that Redis refused before running it: safe to send again. */
function isNotRunReply(err: Error): boolean {
  return /^(TRYAGAIN|CLUSTERDOWN|MASTERDOWN|LOADING) /.test(err.message);
}

/** Redis 7 prefixes "ERR " to an error_reply without a space; accept either form. */
function isReply(err: unknown, code: string): boolean {
  return (
    isReplyError(err) &&
    (err.message.startsWith(`${code} `) || err.message.startsWith(`ERR ${code}`))
  );
}
