import { Inject, Injectable } from '@nestjs/common';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import {
  RtError,
  RtNotReplicatedError,
  RtQueueCompleteError,
  RtQueueFullError,
  RtRedisUnavailableError,
} from '../errors.js';
import { scriptsFor, type LuaScript, type QueueScripts } from './lua-scripts.js';
import { RedisConnections, type PubSubKind, type RedisClient } from './redis-connections.js';
import { RtEntry } from './rt-entry.js';
import { START_ID } from './stream-id.js';

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

  constructor(
    private readonly connections: RedisConnections,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
  ) {
    this.redis = connections.command;
    this.prefix = config.keyPrefix;
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
      return await this.write('push', (s) => s.push, name, [
        json,
        idleTtlSeconds,
        maxMessages,
        goneTtl,
      ]);
    } catch (err) {
      if (isReply(err, 'PLUTO_RT_COMPLETE')) throw new RtQueueCompleteError(name);
      if (isReply(err, 'PLUTO_RT_FULL')) throw new RtQueueFullError(name, maxMessages);
      throw err;
    }
  }

  /** Appends the end marker (once) and shortens the queue's life to the completed expiry. */
  complete(name: string): Promise<string> {
    const { completedTtlSeconds } = this.config;
    const goneTtl = completedTtlSeconds + this.goneWindow();
    return this.write('complete', (s) => s.complete, name, [completedTtlSeconds, goneTtl]);
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

  /** Runs a write script on the queue's keys, waiting for replicas when so configured. */
  private write(
    operation: string,
    pick: (scripts: QueueScripts) => LuaScript,
    name: string,
    args: Array<string | number>,
  ): Promise<string> {
    const key = this.key(name);
    const keys = [key, this.tombstoneKey(name), key];
    const wait = this.config.waitForReplicas;
    return this.run(operation, async (kind) => {
      const script = pick(scriptsFor(kind));
      if (!wait) return (await script.run(this.redis, keys, args)) as string;
      const [id, confirmed] = await script.runAndWait(
        this.redis,
        keys,
        args,
        wait.replicas,
        wait.timeoutMs,
      );
      if (confirmed < wait.replicas) {
        throw new RtNotReplicatedError(
          operation,
          String(id),
          confirmed,
          wait.replicas,
          wait.timeoutMs,
        );
      }
      return id as string;
    });
  }

  /**
   * Runs `work` once the command client is ready, all within `commandTimeoutMs`: a cluster
   * retries a command through a failover on its own, and the caller must hear in time.
   */
  private async run<T>(operation: string, work: (kind: PubSubKind) => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const { commandTimeoutMs } = this.config;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const what = this.redis.status === 'ready' ? 'no answer' : 'not connected';
        reject(
          new RtRedisUnavailableError(
            operation,
            new Error(`${what} within ${commandTimeoutMs} ms`),
          ),
        );
      }, commandTimeoutMs);
    });
    const attempt = (async () => {
      await this.connections.whenReady(this.redis, operation);
      try {
        return await work(await this.connections.pubsubKind(this.redis));
      } catch (err) {
        if (isReplyError(err) || err instanceof RtError) throw err;
        throw new RtRedisUnavailableError(operation, err);
      }
    })();
    try {
      return await Promise.race([attempt, deadline]);
    } finally {
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

/** Redis 7 prefixes "ERR " to an error_reply without a space; accept either form. */
function isReply(err: unknown, code: string): boolean {
  return (
    isReplyError(err) &&
    (err.message.startsWith(`${code} `) || err.message.startsWith(`ERR ${code}`))
  );
}
