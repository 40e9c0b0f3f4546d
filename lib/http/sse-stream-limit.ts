import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import type { Socket } from 'node:net';
import { type RtMetrics } from '../metrics/rt-metrics.js';
import { PLUTO_RT_METRICS } from '../pluto-rt.constants.js';
import { droppedByServer } from './dropped-by-server.js';

/**
 * Open SSE responses of this process, capped at `maxStreams`: each holds a socket and the
 * framework's per-stream state. (`RtQueueService.stream()` subscriptions are the app's own
 * and do not count.)
 */
@Injectable()
export class SseStreamLimit {
  private open = 0;

  constructor(
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
    @Inject(PLUTO_RT_METRICS) private readonly metrics: RtMetrics,
  ) {}

  get count(): number {
    return this.open;
  }

  /**
   * Takes a slot for the response on `socket`, or throws 503 when none is free; the returned
   * release is idempotent (and reports the response's duration, and a slow client dropped).
   */
  acquire(socket?: Socket): () => void {
    if (this.open >= this.config.maxStreams) {
      throw new ServiceUnavailableException('Too many open streams on this server: retry later');
    }
    this.open++;
    let held = true;
    const { metrics } = this;
    const startedAt = metrics.on ? performance.now() : 0;
    return () => {
      if (!held) return;
      held = false;
      this.open--;
      if (!metrics.on) return;
      metrics.observe('sseStreamDuration', startedAt);
      if (droppedByServer(socket)) metrics.count('slowClientsDropped');
    };
  }
}
