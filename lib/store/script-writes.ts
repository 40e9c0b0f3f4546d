import { RtQueueCompleteError, RtQueueFullError } from '../errors.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { isReplyError, type BoundedCommands } from './bounded-command.js';
import { scriptsFor, type LuaScript, type QueueScripts } from './lua-scripts.js';
import type { QueueKeys } from './queue-keys.js';
import type { RedisClient } from './redis-connections.js';
import type { WaitedWrites } from './waited-writes.js';
import type { ChainedWrite, WriteResult } from './write-chain.js';

/**
 * Sends the writes of the write chain as their scripts: a push batch (its ids, or undefined
 * for the items a full queue refused), or a completion (its end marker's id). Each is sent
 * once, within its first caller's deadline, and with `waitForReplicas` waits for them: then
 * an entry that too few replicas confirmed is an RtNotReplicatedError in place of its id.
 */
export class ScriptWrites {
  constructor(
    private readonly keys: QueueKeys,
    private readonly commands: BoundedCommands,
    private readonly client: RedisClient,
    private readonly config: PlutoRtConfig,
    private readonly waited?: { client: RedisClient; writes: WaitedWrites },
  ) {}

  async send(name: string, write: ChainedWrite): Promise<WriteResult[]> {
    const { idleTtlSeconds, completedTtlSeconds, maxMessages } = this.config;
    try {
      if (write.kind === 'complete') {
        const ending = write.jsons[0]!;
        const args = [completedTtlSeconds, completedTtlSeconds + this.goneWindow(), ending];
        const id = await this.run('complete', (s) => s.complete, name, args, write.deadline);
        return [id as WriteResult];
      }
      const gone = idleTtlSeconds + this.goneWindow();
      if (write.kind === 'told') {
        const [json, position] = write.jsons as [string, string];
        const args = [idleTtlSeconds, maxMessages, gone, json, position];
        const told = this.keys.told(name);
        const ids = await this.run('push', (s) => s.pushTold, name, args, write.deadline, told);
        return [(ids as WriteResult[])[0]];
      }
      const args = [idleTtlSeconds, maxMessages, gone, ...write.jsons];
      const ids = (await this.run(
        'push',
        (s) => s.push,
        name,
        args,
        write.deadline,
      )) as WriteResult[];
      return write.jsons.map((_, i) => ids[i]);
    } catch (err) {
      if (isReply(err, 'PLUTO_RT_COMPLETE')) throw new RtQueueCompleteError(name);
      if (isReply(err, 'PLUTO_RT_FULL')) throw new RtQueueFullError(name, maxMessages);
      throw err;
    }
  }

  /**
   * How long a queue reads as gone after its stream expired: as long as a URL signed for it
   * may still be used. (It must outlive the stream: max(completed, idle) does not when
   * completedTtlSeconds >= idleTtlSeconds, and a started-then-abandoned queue needs one too.)
   */
  private goneWindow(): number {
    return Math.max(this.config.idleTtlSeconds, this.config.urlTtlSeconds);
  }

  private run(
    operation: 'push' | 'complete',
    pick: (scripts: QueueScripts) => LuaScript,
    name: string,
    args: Array<string | number>,
    deadline: number,
    told?: string,
  ): Promise<WriteResult | WriteResult[]> {
    const key = this.keys.stream(name);
    const keys = [key, this.keys.tombstone(name), key, ...(told ? [told] : [])];
    const { waited } = this;
    const work = async (kind: Parameters<typeof scriptsFor>[0], stillWanted: () => boolean) => {
      const script = pick(scriptsFor(kind));
      if (!waited)
        return (await script.send(this.client, keys, args)) as WriteResult | WriteResult[];
      const done = await waited.writes.write(operation, script, keys, args, deadline, stillWanted);
      const reply = done.reply as string | string[];
      if (done.replicated) return reply;
      const notReplicated = (id: string) =>
        waited.writes.notReplicated(operation, id, done.confirmed);
      return Array.isArray(reply) ? reply.map(notReplicated) : notReplicated(reply);
    };
    return this.commands.run(operation, work, waited?.client ?? this.client, deadline);
  }
}

/** Redis 7 prefixes "ERR " to an error_reply without a space; accept either form. */
function isReply(err: unknown, code: string): boolean {
  return (
    isReplyError(err) &&
    (err.message.startsWith(`${code} `) || err.message.startsWith(`ERR ${code}`))
  );
}
