import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';

/**
 * Open SSE responses of this process, capped at `maxStreams`: each holds a socket and the
 * framework's per-stream state. (`RtQueueService.stream()` subscriptions are the app's own
 * and do not count.)
 */
@Injectable()
export class SseStreamLimit {
  private open = 0;

  constructor(@Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig) {}

  get count(): number {
    return this.open;
  }

  /** Takes a slot, or throws 503 when none is free; the returned release is idempotent. */
  acquire(): () => void {
    if (this.open >= this.config.maxStreams) {
      throw new ServiceUnavailableException('Too many open streams on this server: retry later');
    }
    this.open++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.open--;
    };
  }
}
