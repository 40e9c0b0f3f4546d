import type { EventEmitter } from 'node:events';
import type { Cluster, Redis } from 'ioredis';
import { RtRedisUnavailableError } from '../errors.js';
import type { RedisConnections } from '../store/redis-connections.js';
import { SubscribeBatches, type SubscriptionOp } from './subscribe-batches.js';

/** Quiet time after a burst of topology events before the hub re-reads (a failover fires hundreds). */
const RESYNC_QUIET_MS = 50;
/** A burst that never ends still gets a re-read this often. */
const RESYNC_MAX_WAIT_MS = 1_000;

/**
 * The reader client's subscriptions: one channel per queue with open streams, sharded
 * (SSUBSCRIBE; on a cluster one subscriber connection per master) or classic. Pub/sub is
 * only a wake-up: messages published while a subscription lapsed (a reconnect, a slot
 * that moved, a failover) are lost, so `onResync` is called after each such event, and
 * the hub re-subscribes and reads the gap from the streams.
 */
export class ChannelSubscriptions {
  private readonly reader;
  private quietTimer?: NodeJS.Timeout;
  private burstStartedAt = 0;
  private connectedOnce = false;
  private lastForcedReconnect = 0;
  private readonly detach: Array<() => void> = [];
  private readonly batches = new SubscribeBatches((op, channels) => this.send(op, channels));

  constructor(
    private readonly connections: RedisConnections,
    onMessage: (channel: string, message: string) => void,
    private readonly onResync: () => void,
    onReconnect: () => void,
    /** How long a subscription may wait for its answer (commandTimeoutMs). */
    private readonly timeoutMs: number,
    /** Whether an open stream still wants `channel` (a late answer may come after it left). */
    private readonly wanted: (channel: string) => boolean,
  ) {
    this.reader = connections.reader;
    this.listen('message', onMessage);
    this.listen('smessage', onMessage);
    this.listen('ready', () => {
      // The first connect has nothing to make up for: each subscription is on its way.
      if (this.connectedOnce) {
        onReconnect();
        this.scheduleResync();
      }
      this.connectedOnce = true;
    });
    if (connections.isCluster) {
      // ioredis resubscribes a cluster's sharded channels by itself after these.
      for (const event of ['subscribersReady', '+node', '-node']) {
        this.listen(event, () => this.scheduleResync());
      }
      this.listenToSubscriberGroup();
    }
  }

  /**
   * A slot that moves makes its old master drop the slot's sharded subscriptions (an
   * unsolicited SUNSUBSCRIBE); ioredis 6 reports that only on the Cluster's internal
   * subscriber-group emitter, as `moved`, and resubscribes (with a `subscribersReady`) only
   * if its slot refresh already sees the new owner. A refresh answered by a node that has
   * not heard of the move yet leaves the subscription lapsed with no event, and the wake-up
   * of an end marker written meanwhile lost: so the hub re-reads on this `moved` itself (the
   * reads and SSUBSCRIBE follow MOVED on their own).
   */
  private listenToSubscriberGroup(): void {
    const group = (this.reader as unknown as { subscriberGroupEmitter?: EventEmitter })
      .subscriberGroupEmitter;
    if (!group) return;
    const onMoved = () => this.scheduleResync();
    group.on('moved', onMoved);
    this.detach.push(() => group.off('moved', onMoved));
  }

  /**
   * Subscribes to `channel` once the reader is connected; rejects with RtRedisUnavailableError
   * after the bound. The reader's commands have no timeout of their own: a SUBSCRIBE sent as
   * the connection dropped waits in ioredis for the next connection, and the page that opens
   * the stream must hear 503 meanwhile, not wait for Redis with no answer.
   */
  async subscribe(channel: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    await this.connections.whenReady(this.reader, 'subscribe');
    const change = this.change('subscribe', channel);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          // Answered after its stream gave up: drop it if no stream wants it by then.
          void change.then(
            () => this.wanted(channel) || this.unsubscribe(channel),
            () => undefined,
          );
          this.reconnectIfWedged();
          reject(new Error(`no answer within ${this.timeoutMs} ms`));
        },
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      await Promise.race([change, late]);
    } catch (err) {
      throw new RtRedisUnavailableError('subscribe', err);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A SUBSCRIBE left unanswered by a reader that says it is connected: seen after a Redis
   * restart under load (Node 22), every later one unanswered too. A fresh connection ends
   * that: the reader reconnects, and its 'ready' resubscribes every open stream's channel
   * (onResync). At most once per bound; a cluster's subscribers are ioredis's to manage.
   */
  private reconnectIfWedged(): void {
    if (this.connections.isCluster || this.reader.status !== 'ready') return;
    const now = Date.now();
    if (now - this.lastForcedReconnect < this.timeoutMs) return;
    this.lastForcedReconnect = now;
    (this.reader as Redis).disconnect(true);
  }

  /** Drops `channel` (commands go out in order: a later SUBSCRIBE to it follows this). */
  unsubscribe(channel: string): void {
    if (this.reader.status !== 'ready') return; // a lost connection took the subscription along
    this.change('unsubscribe', channel).catch(() => undefined);
  }

  /** One server's (un)subscriptions go in batches; a cluster's one channel at a time. */
  private change(op: SubscriptionOp, channel: string): Promise<unknown> {
    return this.connections.isCluster ? this.send(op, [channel]) : this.batches.add(op, channel);
  }

  private async send(op: SubscriptionOp, channels: string[]): Promise<unknown> {
    const sharded = (await this.kind()) === 'sharded';
    if (op === 'subscribe')
      return sharded ? this.reader.ssubscribe(...channels) : this.reader.subscribe(...channels);
    return sharded ? this.reader.sunsubscribe(...channels) : this.reader.unsubscribe(...channels);
  }

  close(): void {
    clearTimeout(this.quietTimer);
    for (const off of this.detach.splice(0)) off();
  }

  /** Asked through the reader itself (not yet subscribed to anything until it is known). */
  private kind() {
    return this.connections.pubsubKind(this.reader);
  }

  private scheduleResync(): void {
    const now = Date.now();
    if (this.quietTimer === undefined) this.burstStartedAt = now;
    clearTimeout(this.quietTimer);
    const wait = Math.min(RESYNC_QUIET_MS, this.burstStartedAt + RESYNC_MAX_WAIT_MS - now);
    this.quietTimer = setTimeout(
      () => {
        this.quietTimer = undefined;
        this.onResync();
      },
      Math.max(0, wait),
    );
  }

  private listen(event: string, handler: Parameters<Cluster['on']>[1]): void {
    const reader = this.reader as Cluster;
    reader.on(event, handler);
    this.detach.push(() => reader.off(event, handler));
  }
}
