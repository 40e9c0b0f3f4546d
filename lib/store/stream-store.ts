import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { RtQueueCompleteError, RtQueueFullError, RtRedisUnavailableError } from '../errors.js';
import {
  COMPLETE_SCRIPT,
  LuaScript,
  PUSH_SCRIPT,
  READ_SCRIPT,
  SWEEP_SCRIPT,
} from './lua-scripts.js';
import { RedisConnections } from './redis-connections.js';
import { RtEntry } from './rt-entry.js';
import { START_ID } from './stream-id.js';

const push = new LuaScript(PUSH_SCRIPT);
const complete = new LuaScript(COMPLETE_SCRIPT);
const read = new LuaScript(READ_SCRIPT);
const sweep = new LuaScript(SWEEP_SCRIPT);

/** Why a queue has no stream: never pushed to (or abandoned and expired), or completed and expired. */
export type QueueAbsence = 'not-started' | 'gone';

/** The queues in Redis: one stream per queue, written and read only through here. */
@Injectable()
export class StreamStore {
  private readonly redis: Redis;

  constructor(
    private readonly connections: RedisConnections,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
  ) {
    this.redis = connections.command;
  }

  /** Redis key of a queue's stream, as the command connection sees it. */
  key(name: string): string {
    return this.config.keyPrefix + name;
  }

  /**
   * The channel that a push to queue `name` publishes on: its key as Redis sees it (with the
   * command connection's own ioredis prefix, which the script's KEYS carry).
   */
  channel(name: string): string {
    return this.connections.clientKeyPrefix + this.key(name);
  }

  /** The queue whose pushes `channel` carries, or undefined for another channel. */
  queueOf(channel: string): string | undefined {
    const prefix = this.connections.clientKeyPrefix + this.config.keyPrefix;
    return channel.startsWith(prefix) ? channel.slice(prefix.length) : undefined;
  }

  /**
   * The key that remembers that a queue started, after its stream expired, so that a late
   * reader hears "gone" rather than waiting for a start (`:` is not in queue names).
   */
  private tombstoneKey(name: string): string {
    return `${this.config.keyPrefix}${name}:started`;
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
    const keys = [this.key(name), this.tombstoneKey(name)];
    const goneTtl = idleTtlSeconds + this.goneWindow();
    try {
      return (await this.run(push, 'push', keys, [
        json,
        idleTtlSeconds,
        maxMessages,
        goneTtl,
      ])) as string;
    } catch (err) {
      if (isReply(err, 'PLUTO_RT_COMPLETE')) throw new RtQueueCompleteError(name);
      if (isReply(err, 'PLUTO_RT_FULL')) throw new RtQueueFullError(name, maxMessages);
      throw err;
    }
  }

  /** Appends the end marker (once) and shortens the queue's life to the completed expiry. */
  async complete(name: string): Promise<string> {
    const { completedTtlSeconds } = this.config;
    const keys = [this.key(name), this.tombstoneKey(name)];
    const goneTtl = completedTtlSeconds + this.goneWindow();
    return (await this.run(complete, 'complete', keys, [completedTtlSeconds, goneTtl])) as string;
  }

  /**
   * Up to `count` entries after `after`; `not-started` when the queue has no stream (yet);
   * `gone` when it was completed and has expired.
   */
  async read(name: string, after: string, count: number): Promise<RtEntry[] | QueueAbsence> {
    const start = after === START_ID ? '-' : `(${after}`;
    const keys = [this.key(name), this.tombstoneKey(name)];
    const raw = (await this.run(read, 'read', keys, [start, count])) as string[] | 0 | null;
    if (raw === null) return 'not-started';
    if (raw === 0) return 'gone';
    return toEntries(raw);
  }

  /** Which of `names` no longer exist, in one command. */
  async missing(names: string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const gone = (await this.run(
      sweep,
      'sweep',
      names.map((n) => this.key(n)),
      [],
    )) as number[];
    return gone.map((position) => names[position - 1]!);
  }

  private async run(
    script: LuaScript,
    operation: string,
    keys: string[],
    args: Array<string | number>,
  ): Promise<unknown> {
    await this.connections.whenReady(this.redis, operation);
    try {
      return await script.run(this.redis, keys, args);
    } catch (err) {
      if (isReplyError(err)) throw err;
      throw new RtRedisUnavailableError(operation, err);
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
