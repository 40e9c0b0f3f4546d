import { Inject, Injectable } from '@nestjs/common';
import { PLUTO_RT_STREAM_STORE } from '../pluto-rt.constants.js';
import { QueueSignals } from '../queue/queue-signals.js';
import type { StreamStore } from '../store/stream-store.js';
import { CancelChannel } from './cancel-channel.js';

/**
 * The queue handles' signals (RtQueue.signal), wired to the cancel channel: a queue's
 * signal, once asked for, aborts when its page cancels it, in whichever process holds it.
 * A cancel asked before the signal was (or before the channel listened) is found by the
 * mark the cancel leaves in Redis.
 */
@Injectable()
export class QueueCancels {
  readonly signals: QueueSignals;

  constructor(
    private readonly channel: CancelChannel,
    @Inject(PLUTO_RT_STREAM_STORE) private readonly store: StreamStore,
  ) {
    this.signals = new QueueSignals((name) => void this.watch(name));
    channel.onCancel((asked) => {
      if ('queue' in asked) this.signals.abort(asked.queue);
    });
  }

  private async watch(name: string): Promise<void> {
    if (!(await this.channel.listen())) return;
    const asked = await this.store.cancelAsked(name).catch(() => false);
    if (asked) this.signals.abort(name);
  }
}
