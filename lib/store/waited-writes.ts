import { Cluster } from 'ioredis';
import type { PlutoRtWaitForReplicas } from '../options/pluto-rt-options.interface.js';
import { RtNotReplicatedError, RtRedisUnavailableError } from '../errors.js';
import type { LuaScript } from './lua-scripts.js';
import type { RedisClient } from './redis-connections.js';
import { WaitGate } from './wait-gate.js';

/** Redirections a write may need to follow: more would mean a slot map in flux. */
const MAX_REDIRECTIONS = 5;

/**
 * Writes that wait for replicas (`waitForReplicas`): each script and its WAIT go in one
 * pipeline on a client of their own (one connection per master on a cluster), because
 * WAIT holds its connection until the replicas confirm or it times out, and reads must not
 * queue behind it. A WaitGate bounds the writes in flight so that none is sent that could
 * not answer before its caller's deadline.
 */
export class WaitedWrites {
  private readonly gate: WaitGate;

  constructor(
    private readonly client: RedisClient,
    private readonly wait: PlutoRtWaitForReplicas,
    commandTimeoutMs: number,
  ) {
    // A write and its WAIT hold the connection for at most WAIT's timeout rounded up to the
    // server's cron tick (100 ms); the writes in flight must answer within half the bound.
    const worstMs = wait.timeoutMs + 100;
    const half = commandTimeoutMs / 2;
    const limit = Math.max(1, Math.floor(half / worstMs));
    this.gate = new WaitGate(limit, Math.min(half, limit * worstMs));
  }

  /**
   * Runs `script` and waits for the replicas; resolves to its reply and how many replicas
   * confirmed it (fewer than asked: the caller answers RtNotReplicatedError, naming each
   * entry the script wrote).
   */
  async write(
    operation: string,
    script: LuaScript,
    keys: string[],
    args: Array<string | number>,
    deadline: number,
    stillWanted: () => boolean,
  ): Promise<{ reply: unknown; replicated: boolean; confirmed: number }> {
    const release = await this.gate.enter(deadline);
    if (!release) {
      throw new RtRedisUnavailableError(
        operation,
        new Error('the waited writes ahead of it would not answer in time'),
      );
    }
    // A second send queues behind the same writes as the first: it needs the same time left.
    const mayResend = () => stillWanted() && this.gate.inTime(deadline);
    try {
      const [reply, confirmed] = await this.runAndWait(script, keys, args, mayResend);
      return { reply, replicated: confirmed >= this.wait.replicas, confirmed };
    } finally {
      release();
    }
  }

  /** The error of an entry `id` that fewer replicas confirmed than asked. */
  notReplicated(operation: string, id: string, confirmed: number): RtNotReplicatedError {
    const { replicas, timeoutMs } = this.wait;
    return new RtNotReplicatedError(operation, id, confirmed, replicas, timeoutMs);
  }

  /**
   * The script, then WAIT, on the connection that wrote. On a cluster ioredis follows a
   * pipeline's MOVED or ASK only when every command of it was redirected, and WAIT (keyless)
   * never is: the redirection is followed here, by sending the pair to the named node
   * (after ASKING for ASK). The script had not run. A send after the first goes out only
   * while `mayResend()`: while its caller waits, with time for an answer before the deadline.
   */
  private async runAndWait(
    script: LuaScript,
    keys: string[],
    args: Array<string | number>,
    mayResend: () => boolean,
  ): Promise<[result: unknown, confirmed: number]> {
    const cluster = this.client instanceof Cluster ? this.client : undefined;
    let target: RedisClient = this.client;
    let asking = false;
    for (let hop = 0; ; hop++) {
      if (hop > 0 && !mayResend()) throw new Error('no time left to follow a redirection');
      const [[scriptError, result] = [], [waitError, confirmed] = []] = await this.pipeline(
        target,
        asking,
        script,
        keys,
        args,
      );
      const redirect = cluster && redirection(scriptError);
      if (redirect && hop < MAX_REDIRECTIONS) {
        if (!redirect.ask) cluster.refreshSlotsCache();
        const node = cluster
          .nodes('all')
          .find((n) => `${n.options.host}:${n.options.port}` === redirect.node);
        // A node the cluster does not know yet: route again once its slot map is fresh.
        if (!node) await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
        target = node ?? this.client;
        asking = !!node && redirect.ask;
        continue;
      }
      if (scriptError) throw scriptError;
      if (waitError) throw waitError;
      return [result, Number(confirmed)];
    }
  }

  /** [ASKING,] the script (by source: see LuaScript.send), WAIT in one pipeline: their replies. */
  private async pipeline(
    target: RedisClient,
    asking: boolean,
    script: LuaScript,
    keys: string[],
    args: Array<string | number>,
  ): Promise<Array<[Error | null, unknown]>> {
    const pipeline = target.pipeline();
    if (asking) pipeline.asking();
    pipeline.eval(script.source, keys.length, ...keys, ...args);
    const replies = (await pipeline.wait(this.wait.replicas, this.wait.timeoutMs).exec()) ?? [];
    return asking ? replies.slice(1) : replies;
  }
}

/** `MOVED <slot> <host:port>` or `ASK <slot> <host:port>`: where to send the pair instead. */
function redirection(err: unknown): { ask: boolean; node: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const match = /^(MOVED|ASK) \d+ (\S+)$/.exec(err.message);
  return match ? { ask: match[1] === 'ASK', node: match[2]! } : undefined;
}
