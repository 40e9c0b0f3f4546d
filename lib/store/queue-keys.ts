/**
 * The names of a queue's data in Redis. Its stream and tombstone share the hash tag
 * `{queue}`, so that each script touches one slot and queues spread over a cluster's
 * masters; its channel is its stream's key as Redis sees it.
 */
export class QueueKeys {
  /**
   * @param prefix the module's `keyPrefix`
   * @param clientPrefix the command client's own ioredis `keyPrefix` (the app's client, or
   *   `redis.options`'): ioredis adds it to the keys of commands, scripts included, but not
   *   to the channels of SUBSCRIBE
   */
  constructor(
    private readonly prefix: string,
    private readonly clientPrefix: string,
  ) {}

  /** Redis key of a queue's stream, as the command client sees it. */
  stream(name: string): string {
    return `${this.prefix}{${name}}`;
  }

  /**
   * The key that remembers that a queue started, after its stream expired, so that a late
   * reader hears "gone" rather than waiting for a start (`:` is not in queue names).
   */
  tombstone(name: string): string {
    return `${this.stream(name)}:started`;
  }

  /** The key of a queue's told position (see lua-scripts CLAIM). */
  told(name: string): string {
    return `${this.stream(name)}:told`;
  }

  /** The key that says a cancel was asked for a queue's job (see jobs/job-cancels). */
  cancel(name: string): string {
    return `${this.stream(name)}:cancel`;
  }

  /** The channel that a push to queue `name` publishes on (the scripts' KEYS[3]). */
  channel(name: string): string {
    return this.clientPrefix + this.stream(name);
  }

  /** The queue whose pushes `channel` carries, or undefined for another channel. */
  queueOf(channel: string): string | undefined {
    const head = `${this.clientPrefix}${this.prefix}{`;
    if (!channel.startsWith(head) || !channel.endsWith('}')) return undefined;
    return channel.slice(head.length, -1);
  }
}
