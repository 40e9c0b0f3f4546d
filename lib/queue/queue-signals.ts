import { RtCancelledError } from '../errors.js';

/**
 * The AbortSignals of queue handles (`RtQueue.signal`), one per queue name in a process:
 * every handle of a queue shares it. A cancel from the page aborts it (with
 * RtCancelledError); the queue's ending releases it. `firstUse` is told the first time a
 * queue's signal is asked for (the module then listens for cancels, and checks whether one
 * was asked before).
 */
export class QueueSignals {
  private readonly controllers = new Map<string, AbortController>();

  constructor(private readonly firstUse: (name: string) => void = () => undefined) {}

  signalOf(name: string): AbortSignal {
    let controller = this.controllers.get(name);
    if (!controller) {
      this.controllers.set(name, (controller = new AbortController()));
      this.firstUse(name);
    }
    return controller.signal;
  }

  /** Aborts queue `name`'s signal if a handle asked for it; returns whether one did. */
  abort(name: string): boolean {
    const controller = this.controllers.get(name);
    if (!controller || controller.signal.aborted) return false;
    controller.abort(new RtCancelledError(name));
    return true;
  }

  /** Forgets queue `name` (it ended): its signal stays as it is for those who hold it. */
  release(name: string): void {
    this.controllers.delete(name);
  }
}
