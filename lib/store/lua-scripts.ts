import { createHash } from 'node:crypto';
import { END_FIELD, ITEM_FIELD } from '../pluto-rt.constants.js';
import type { PubSubKind, RedisClient } from './redis-connections.js';

/**
 * The stream's writes are scripts so that each is one atomic round trip: check, XADD,
 * EXPIRE and the publish that wakes the readers, whose message carries the previous entry
 * id (for gap detection) and the entry itself. KEYS are the queue's stream, its tombstone
 * and its channel, all under one hash tag: one slot, so the scripts run on a cluster. With
 * sharded pub/sub the channel is published with SPUBLISH, and `#!lua` makes Redis check
 * that the script touches its declared keys only.
 */
const LAST_ENTRY = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
local prev = '0-0'
if last then prev = last[1] end
local ended = last and last[2][1] == '${END_FIELD}'
`;

const header = (kind: PubSubKind) => (kind === 'sharded' ? '#!lua\n' : '');
const publish = (kind: PubSubKind) => (kind === 'sharded' ? 'SPUBLISH' : 'PUBLISH');

/**
 * Appends the items ARGV[4..] in order, each published with the id before it, and renews
 * the expiries once for all of them. Replies with the ids of the items it took: fewer than
 * the items when the queue fills up on the way (a refusal of the first is an error reply).
 */
const pushSource = (kind: PubSubKind) => `${header(kind)}${LAST_ENTRY}
if ended then return redis.error_reply('PLUTO_RT_COMPLETE queue is complete') end
local room = tonumber(ARGV[2]) - redis.call('XLEN', KEYS[1])
if room <= 0 then return redis.error_reply('PLUTO_RT_FULL queue is full') end
local ids = {}
for i = 4, math.min(#ARGV, room + 3) do
  local id = redis.call('XADD', KEYS[1], '*', '${ITEM_FIELD}', ARGV[i])
  redis.call('${publish(kind)}', KEYS[3], prev .. ' ' .. id .. ' ${ITEM_FIELD}' .. ARGV[i])
  prev = id
  ids[#ids + 1] = id
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
-- The tombstone outlives the stream: a started queue, completed or abandoned, reads as gone.
redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
return ids`;

/**
 * Idempotent: completing twice returns the first end marker's id. Like a push, it renews
 * the tombstone KEYS[2], which outlives the stream so that a reader arriving after expiry
 * hears "gone" rather than waiting for a queue that will never start.
 */
const completeSource = (kind: PubSubKind) => `${header(kind)}${LAST_ENTRY}
if ended then return prev end
local id = redis.call('XADD', KEYS[1], '*', '${END_FIELD}', '1')
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
redis.call('${publish(kind)}', KEYS[3], prev .. ' ' .. id .. ' ${END_FIELD}')
return id`;

/**
 * One command for an existence check and a page of entries: the entries after the cursor;
 * the end marker alone when nothing follows the cursor in a completed queue; 0 when the
 * queue is gone (its stream expired, its tombstone KEYS[2] remains); nil when it has not
 * started (no push yet), or expired so long ago that no URL for it is valid any more.
 * Entries come flat, `id, json, id, json, ...`, with '' as the end marker's json (JSON text
 * is never empty): ioredis decodes a flat reply about twice as fast as nested entries, and
 * a replay of 1,000 entries is mostly that decoding.
 */
const READ_SOURCE = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
  return false
end
local entries = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])
if #entries == 0 then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
  if last and last[2][1] == '${END_FIELD}' then entries = {last} end
end
local flat = {}
for i, entry in ipairs(entries) do
  flat[2 * i - 1] = entry[1]
  if entry[2][1] == '${ITEM_FIELD}' then flat[2 * i] = entry[2][2] else flat[2 * i] = '' end
end
return flat`;

/** EVALSHA with a fallback to EVAL when the server has not cached the script (e.g. after a restart). */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * EVALSHA, then EVAL if the server lacks the script (a fresh master after a failover).
   * The EVAL goes out only while `stillWanted()`: a NOSCRIPT that answers after the caller
   * heard RtRedisUnavailableError must not get a write sent behind its back.
   */
  async run(
    client: RedisClient,
    keys: string[],
    args: Array<string | number>,
    stillWanted: () => boolean = () => true,
  ): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!isNoScript(err) || !stillWanted()) throw err;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

export function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/** The scripts of one pub/sub kind. */
export interface QueueScripts {
  push: LuaScript;
  complete: LuaScript;
  read: LuaScript;
}

const read = new LuaScript(READ_SOURCE);
const SCRIPTS: Record<PubSubKind, QueueScripts> = {
  sharded: {
    push: new LuaScript(pushSource('sharded')),
    complete: new LuaScript(completeSource('sharded')),
    read,
  },
  classic: {
    push: new LuaScript(pushSource('classic')),
    complete: new LuaScript(completeSource('classic')),
    read,
  },
};

export function scriptsFor(kind: PubSubKind): QueueScripts {
  return SCRIPTS[kind];
}
