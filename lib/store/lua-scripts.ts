import { createHash } from 'node:crypto';
import { END_FIELD, ITEM_FIELD } from './entry-fields.js';
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
const pushSource = (kind: PubSubKind, claim = '') => `${header(kind)}local n = #ARGV
${claim}${LAST_ENTRY}
if ended then return redis.error_reply('PLUTO_RT_COMPLETE queue is complete') end
local room = tonumber(ARGV[2]) - redis.call('XLEN', KEYS[1])
if room <= 0 then return redis.error_reply('PLUTO_RT_FULL queue is full') end
local ids = {}
for i = 4, math.min(n, room + 3) do
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
 * A push told in order whoever pushes it: its position (the last ARGV) must be past the
 * queue's told position KEYS[4] (in the queue's slot), which it then becomes, for as long as
 * the tombstone lives (ARGV[3]), in the same atomic run; else it replies with no ids. So
 * several processes that follow one job each try, and one item of each position lands,
 * never one after a later position's (see jobs/job-items).
 */
const CLAIM = `n = n - 1
local told = tonumber(redis.call('GET', KEYS[4]) or '-1')
if tonumber(ARGV[n + 1]) <= told then return {} end
redis.call('SET', KEYS[4], ARGV[n + 1], 'EX', ARGV[3])
`;

/**
 * Appends the end marker, whose value ARGV[3] is the ending ('1' for a plain completion; see
 * queue/end-reason), published after `e` unless plain. Idempotent: the first ending wins,
 * and ending twice returns its id. Like a push, it renews
 * the tombstone KEYS[2], which outlives the stream so that a reader arriving after expiry
 * hears "gone" rather than waiting for a queue that will never start.
 */
const completeSource = (kind: PubSubKind) => `${header(kind)}${LAST_ENTRY}
if ended then return prev end
local id = redis.call('XADD', KEYS[1], '*', '${END_FIELD}', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
local ending = ''
if ARGV[3] ~= '1' then ending = ARGV[3] end
redis.call('${publish(kind)}', KEYS[3], prev .. ' ' .. id .. ' ${END_FIELD}' .. ending)
return id`;

/** Entries a read takes from the stream at a time: its transient memory inside Redis. */
const READ_CHUNK = 16;

/**
 * One command for an existence check and a page of entries after the cursor ARGV[1] ('-' or
 * '(<id>'): at most ARGV[2] entries and, past the first, ARGV[3] bytes of items, so that one
 * reader's read is short in Redis and its reply small. The end marker alone when nothing
 * follows the cursor in a completed queue; 0 when the queue is gone (its stream expired, its
 * tombstone KEYS[2] remains); nil when it has not started (no push yet), or expired so long
 * ago that no URL for it is valid any more. The reply is flat, `more, id, json, id, json,
 * ...`, with '' as a plain end marker's json (JSON text is never empty) and `!<ending>` as
 * one with a reason (JSON text never starts with '!'): ioredis decodes a flat
 * reply about twice as fast as nested entries. `more` is 1 when the page stopped at a limit
 * (entries may follow), 0 when it reached the stream's end.
 */
const READ_SOURCE = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
  return false
end
local limit, budget = tonumber(ARGV[2]), tonumber(ARGV[3])
local flat, start, taken, bytes, more = {0}, ARGV[1], 0, 0, 0
while more == 0 and taken < limit do
  local want = math.min(${READ_CHUNK}, limit - taken)
  local chunk = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', want)
  for _, entry in ipairs(chunk) do
    local json = ''
    if entry[2][1] == '${ITEM_FIELD}' then json = entry[2][2]
    elseif entry[2][2] ~= '1' then json = '!' .. entry[2][2] end
    if taken > 0 and bytes + #json > budget then more = 1 break end
    taken, bytes = taken + 1, bytes + #json
    flat[#flat + 1] = entry[1]
    flat[#flat + 1] = json
    start = '(' .. entry[1]
  end
  if #chunk < want then break end
end
if taken == limit then more = 1 end
if taken == 0 then
  local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
  if last and last[2][1] == '${END_FIELD}' then
    local ending = ''
    if last[2][2] ~= '1' then ending = '!' .. last[2][2] end
    flat = {0, last[1], ending}
  end
end
flat[1] = more
return flat`;

/** A Lua script, sent by its SHA1 (reads) or by its source (writes). */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * For a read, which may run twice: EVALSHA, then EVAL if the server lacks the script (a
   * restart, a failover, a new cluster node).
   */
  async run(client: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * For a write: EVAL, one command whatever the server's script cache holds. A write is
   * sent once: after EVALSHA met NOSCRIPT, its EVAL could go out after a later write to the
   * same queue, or after its caller had heard that it failed. (Redis finds the compiled
   * script by the source's hash: the cost is the source's bytes on the wire.)
   */
  send(client: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> {
    return client.eval(this.source, keys.length, ...keys, ...args);
  }
}

export function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/** The scripts of one pub/sub kind. */
export interface QueueScripts {
  push: LuaScript;
  /** The push script, told in order (see CLAIM): one item, then its position. */
  pushTold: LuaScript;
  complete: LuaScript;
  read: LuaScript;
}

const read = new LuaScript(READ_SOURCE);
const SCRIPTS: Record<PubSubKind, QueueScripts> = {
  sharded: {
    push: new LuaScript(pushSource('sharded')),
    pushTold: new LuaScript(pushSource('sharded', CLAIM)),
    complete: new LuaScript(completeSource('sharded')),
    read,
  },
  classic: {
    push: new LuaScript(pushSource('classic')),
    pushTold: new LuaScript(pushSource('classic', CLAIM)),
    complete: new LuaScript(completeSource('classic')),
    read,
  },
};

export function scriptsFor(kind: PubSubKind): QueueScripts {
  return SCRIPTS[kind];
}
