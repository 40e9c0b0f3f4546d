import type { EventEmitter } from 'node:events';
import type { Cluster } from 'ioredis';
import { RtRedisUnavailableError } from '../errors.js';
import type { RedisConnections } from '../store/redis-connections.js';

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
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly connections: RedisConnections,
    onMessage: (channel: string, message: string) => void,
    private readonly onResync: () => void,
    onReconnect: () => void = () => undefined,
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

  /** Subscribes to `channel` once the reader is connected; rejects with RtRedisUnavailableError. */
  async subscribe(channel: string): Promise<void> {
    await this.connections.whenReady(this.reader, 'subscribe');
    try {
      if ((await this.kind()) === 'sharded') await this.reader.ssubscribe(channel);
      else await this.reader.subscribe(channel);
    } catch (err) {
      throw new RtRedisUnavailableError('subscribe', err);
    }
  }

  /** Drops `channel` (commands go out in order: a later SUBSCRIBE to it follows this). */
  unsubscribe(channel: string): void {
    if (this.reader.status !== 'ready') return; // a lost connection took the subscription along
    const done = this.kind().then((kind) =>
      kind === 'sharded' ? this.reader.sunsubscribe(channel) : this.reader.unsubscribe(channel),
    );
    done.catch(() => undefined);
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
