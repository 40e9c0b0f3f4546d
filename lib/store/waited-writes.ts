import { Cluster } from 'ioredis';
import type { PlutoRtWaitForReplicas } from '../options/pluto-rt-options.interface.js';
import { RtNotReplicatedError, RtRedisUnavailableError } from '../errors.js';
import { isNoScript, type LuaScript } from './lua-scripts.js';
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
   * Runs `script` and waits for the replicas; resolves to its reply (the push script's ids,
   * one here since waited pushes go alone; the complete script's id).
   */
  async write(
    operation: string,
    script: LuaScript,
    keys: string[],
    args: Array<string | number>,
    deadline: number,
    stillWanted: () => boolean,
  ): Promise<unknown> {
    const release = await this.gate.enter(deadline);
    if (!release) {
      throw new RtRedisUnavailableError(
        operation,
        new Error('the waited writes ahead of it would not answer in time'),
      );
    }
    // A second send queues behind the same writes as the first: it needs the same time left.
    const mayResend = () => stillWanted() && this.gate.inTime(deadline);
    let id: unknown;
    let confirmed: number;
    try {
      [id, confirmed] = await this.runAndWait(script, keys, args, mayResend);
    } finally {
      release();
    }
    const { replicas, timeoutMs } = this.wait;
    if (confirmed < replicas) {
      const written = Array.isArray(id) ? id[0] : id;
      throw new RtNotReplicatedError(operation, String(written), confirmed, replicas, timeoutMs);
    }
    return id;
  }

  /**
   * The script, then WAIT, on the connection that wrote. On a cluster ioredis follows a
   * pipeline's MOVED or ASK only when every command of it was redirected, and WAIT (keyless)
   * never is: the redirection is followed here, by sending the pair to the named node
   * (after ASKING for ASK). The script had not run. Each send after the first goes out only
   * while `mayResend()`: while its caller waits, with time for an answer before the deadline
   * (a NOSCRIPT answer delayed past it once got an EVAL written after the caller had heard).
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
      let replies = await this.pipeline(target, asking, script, false, keys, args);
      if (isNoScript(replies[0]?.[0])) {
        if (!mayResend()) {
          // Turned away, but the next write to this node must find the script, or every
          // write queued behind WAITs would meet NOSCRIPT late and none would ever run.
          this.load(target, script, keys[0]!);
          throw new Error('the script was not cached, and no time was left to send it');
        }
        replies = await this.pipeline(target, asking, script, true, keys, args);
      }
      const [[scriptError, result] = [], [waitError, confirmed] = []] = replies;
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

  /**
   * Caches `script` on the node that serves `key`, in the background: SCRIPT LOAD writes
   * nothing, so it may run after the caller heard. The EXISTS only routes the pipeline.
   */
  private load(target: RedisClient, script: LuaScript, key: string): void {
    target
      .pipeline()
      .script('LOAD', script.source)
      .exists(key)
      .exec()
      .catch(() => undefined); // the next write meets NOSCRIPT and tries again
  }

  /** [ASKING,] script, WAIT in one pipeline: the replies of the script and of WAIT. */
  private async pipeline(
    target: RedisClient,
    asking: boolean,
    script: LuaScript,
    bySource: boolean,
    keys: string[],
    args: Array<string | number>,
  ): Promise<Array<[Error | null, unknown]>> {
    const pipeline = target.pipeline();
    if (asking) pipeline.asking();
    if (bySource) pipeline.eval(script.source, keys.length, ...keys, ...args);
    else pipeline.evalsha(script.sha, keys.length, ...keys, ...args);
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
