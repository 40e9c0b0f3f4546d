import { RtError, RtRedisUnavailableError } from '../errors.js';
import type { PubSubKind, RedisClient, RedisConnections } from './redis-connections.js';

/** How long a command that Redis refused without running it waits before it is sent again. */
const NOT_RUN_RETRY_MS = 50;

/** What a bounded command does once its client is ready; `stillWanted` guards a second send. */
export type CommandWork<T> = (kind: PubSubKind, stillWanted: () => boolean) => Promise<T>;

/**
 * Runs Redis work within a deadline: it waits for its connection, and a reply that says that
 * Redis did not run the command (CLUSTERDOWN during a failover, TRYAGAIN) is retried while
 * there is time. It settles by the deadline with RtRedisUnavailableError at the latest, and
 * nothing is sent once the caller has heard that (ioredis' own delayed retries are off for
 * that reason: see RedisConnections).
 */
export class BoundedCommands {
  constructor(
    private readonly connections: RedisConnections,
    private readonly timeoutMs: number,
  ) {}

  /** The deadline of a command called now (epoch ms). */
  deadline(): number {
    return Date.now() + this.timeoutMs;
  }

  async run<T>(
    operation: string,
    work: CommandWork<T>,
    client: RedisClient = this.connections.command,
    deadline = this.deadline(),
  ): Promise<T> {
    let settled = false;
    /** Whether the caller still waits: a second send (a retry, a redirection) checks it. */
    const stillWanted = () => !settled;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          const what = client.status === 'ready' ? 'no answer' : 'not connected';
          const error = new Error(`${what} within ${this.timeoutMs} ms`);
          reject(new RtRedisUnavailableError(operation, error));
        },
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      return await Promise.race([
        this.attempt(operation, work, client, deadline, stillWanted),
        expired,
      ]);
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  private async attempt<T>(
    operation: string,
    work: CommandWork<T>,
    client: RedisClient,
    deadline: number,
    stillWanted: () => boolean,
  ): Promise<T> {
    const giveUpAt = deadline - NOT_RUN_RETRY_MS;
    for (;;) {
      await this.connections.whenReady(client, operation);
      // Ready just after the caller heard that it failed: too late to send anything.
      if (!stillWanted()) throw new RtRedisUnavailableError(operation, new Error('gave up'));
      try {
        // Asked through the connection that was just found ready: a waited write must not
        // fail because the command connection is reconnecting.
        return await work(await this.connections.pubsubKind(client), stillWanted);
      } catch (err) {
        if (err instanceof RtError) throw err;
        if (isReplyError(err) && !isUnavailableReply(err)) throw err;
        // It did not run (a cluster without a master for its slot, a slot half-moved): try
        // again while there is time. Nothing is re-sent behind the caller's back.
        if (!(isReplyError(err) && isNotRunReply(err)) || Date.now() >= giveUpAt) {
          throw new RtRedisUnavailableError(operation, err);
        }
        await new Promise((resolve) => setTimeout(resolve, NOT_RUN_RETRY_MS));
        if (!stillWanted()) throw new RtRedisUnavailableError(operation, err);
      }
    }
  }
}

export function isReplyError(err: unknown): err is Error {
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
