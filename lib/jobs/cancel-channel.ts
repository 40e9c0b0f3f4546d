import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import { RedisConnections, type RedisClient } from '../store/redis-connections.js';

/** A cancel asked from a page: of a BullMQ job, or of a queue whose handle holds a signal. */
export type CancelAsked = { job: string; id: string } | { queue: string };

/**
 * The Redis channel on which cancels asked from pages reach every process (the one that
 * runs the work may be any). Its connection is opened on first need only (an app that
 * neither follows jobs nor reads a queue's signal has none), holds its SUBSCRIBE until it
 * connects and renews it after a reconnect (ioredis does both).
 */
@Injectable()
export class CancelChannel implements OnModuleDestroy {
  private subscriber?: RedisClient;
  private subscribed?: Promise<boolean>;
  private readonly channel: string;
  private readonly handlers: Array<(asked: CancelAsked) => void> = [];
  private readonly log = new Logger('PlutoRt');

  constructor(
    @Inject(PLUTO_RT_CONFIG) config: PlutoRtConfig,
    private readonly connections: RedisConnections,
  ) {
    this.channel = `${config.keyPrefix}cancel`;
  }

  onCancel(handler: (asked: CancelAsked) => void): void {
    this.handlers.push(handler);
  }

  /** Subscribes (once); resolves whether it could (Redis away: it keeps trying by itself). */
  listen(): Promise<boolean> {
    if (this.subscribed) return this.subscribed;
    const { command } = this.connections;
    // A connection of its own: a subscribed client takes no other commands.
    const subscriber: RedisClient =
      command instanceof Cluster
        ? command.duplicate([], { ...command.options, enableOfflineQueue: true })
        : (command as Redis).duplicate({ enableOfflineQueue: true });
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined); // the command client's outages are logged already
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const asked = parseAsked(message);
      if (asked) for (const handler of this.handlers) handler(asked);
    });
    this.subscribed = subscriber.subscribe(this.channel).then(
      () => true,
      (err: unknown) => {
        this.log.warn(`Cancels cannot be heard: ${String(err)}`);
        return false;
      },
    );
    return this.subscribed;
  }

  /** Tells every process (this one too) about a cancel. */
  async publish(asked: CancelAsked): Promise<void> {
    await this.connections.command.publish(this.channel, JSON.stringify(asked));
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}

function parseAsked(message: string): CancelAsked | undefined {
  let asked: Record<string, unknown>;
  try {
    asked = JSON.parse(message) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof asked.job === 'string' && typeof asked.id === 'string')
    return { job: asked.job, id: asked.id };
  if (typeof asked.queue === 'string') return { queue: asked.queue };
  return undefined;
}
