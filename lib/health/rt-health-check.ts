import { Injectable } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { RtError } from '../errors.js';
import { RtQueueService } from '../rt-queue.service.js';
import { RedisConnections, type RedisClient } from '../store/redis-connections.js';
import { pingWithin, type RtConnectionHealth } from './ping-within.js';

/** What `RtHealthCheck.check` found. */
export interface RtHealthReport {
  /** Whether every connection answered (on a cluster: on every master). */
  healthy: boolean;
  /** One entry per connection and node. */
  connections: RtConnectionHealth[];
  /** Open SSE responses, open streams and watched queues (see `RtQueueService.stats`). */
  sseStreams: number;
  streams: number;
  queues: number;
}

/** @default timeout of a health check's PINGs, in ms */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1_000;

/**
 * The module's Redis connections, checked with a PING each within a bound (on a cluster:
 * the command connection and the sharded subscriber of every master). Terminus users get
 * it as `PlutoRtHealthIndicator` (`nestjs-pluto-rt/terminus`); it needs no Terminus itself.
 */
@Injectable()
export class RtHealthCheck {
  constructor(
    private readonly connections: RedisConnections,
    private readonly rt: RtQueueService,
  ) {}

  async check(timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS): Promise<RtHealthReport> {
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000)
      throw new RtError(`Invalid health timeoutMs ${timeoutMs}: an integer from 1 to 60000`);
    const { command, reader, waited } = this.connections;
    const pings: Array<Promise<RtConnectionHealth>> = [
      ...this.commandNodes(command).map((c) => pingWithin(c, 'command', timeoutMs)),
      ...this.readerNodes(reader).map((c) => pingWithin(c, 'reader', timeoutMs)),
      ...(waited ? this.commandNodes(waited).map((c) => pingWithin(c, 'waited', timeoutMs)) : []),
    ];
    const connections = await Promise.all(pings);
    if (command instanceof Cluster && command.status !== 'ready') {
      connections.push({
        connection: 'command',
        node: 'cluster',
        status: 'down',
        error: `not connected (${command.status})`,
      });
    }
    const stats = this.rt.stats();
    return {
      healthy: connections.length > 0 && connections.every((c) => c.status === 'up'),
      connections,
      sseStreams: stats.sseStreams,
      streams: stats.streams,
      queues: stats.queues,
    };
  }

  /** The client itself, or a cluster's connection to each master. */
  private commandNodes(client: RedisClient): Redis[] {
    return client instanceof Cluster ? client.nodes('master') : [client];
  }

  /**
   * The reader, or on a cluster its sharded subscriber connections (one per master; none
   * before the first subscription opens them): ioredis keeps them in its subscriber group,
   * which it does not expose, so this reads its internals (ioredis 6).
   */
  private readerNodes(client: RedisClient): Redis[] {
    if (!(client instanceof Cluster)) return [client];
    const group = (client as unknown as { shardedSubscribers?: ShardedSubscriberGroup })
      .shardedSubscribers;
    const subscribers = group?.shardedSubscribers;
    if (!(subscribers instanceof Map)) return [];
    const instances: Redis[] = [];
    for (const subscriber of subscribers.values()) {
      const instance = subscriber.getInstance?.();
      if (instance) instances.push(instance);
    }
    return instances;
  }
}

/** The part of ioredis 6's ClusterSubscriberGroup read here (internal to ioredis). */
interface ShardedSubscriberGroup {
  shardedSubscribers?: Map<string, { getInstance?(): Redis | null }>;
}
