import { Inject, Injectable, type MessageEvent } from '@nestjs/common';
import { interval, map, share, type Observable } from 'rxjs';
import { PLUTO_RT_CONFIG } from '../pluto-rt.constants.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';

const KEEPALIVE: MessageEvent = { comment: 'keepalive' };

/** One timer for all open streams (running only while there are some), not one per stream. */
@Injectable()
export class KeepaliveClock {
  readonly ticks: Observable<MessageEvent>;

  constructor(@Inject(PLUTO_RT_CONFIG) config: PlutoRtConfig) {
    this.ticks = interval(config.keepaliveMs).pipe(
      map(() => KEEPALIVE),
      share(),
    );
  }
}
