import type { QueueWriter } from '../queue/queue-writer.js';
import type { ToldItem } from './job-items.js';

/**
 * A job's queue as its processor writes it: the first write is preceded by the run's start
 * (see runStart), in the same call order, so that an attempt's items always come after the
 * line that says which attempt they belong to.
 */
export class RunStartWriter implements QueueWriter {
  private told = false;

  constructor(
    private readonly inner: QueueWriter,
    private readonly start: readonly ToldItem[],
  ) {}

  push(name: string, json: string): Promise<string> {
    this.tell(name);
    return this.inner.push(name, json);
  }

  pushTold(name: string, json: string, position: number): Promise<string | undefined> {
    this.tell(name);
    return this.inner.pushTold(name, json, position);
  }

  complete(name: string, ending: string): Promise<unknown> {
    this.tell(name);
    return this.inner.complete(name, ending);
  }

  /** Queued before the write that asks (the store keeps call order); a failure is the write's too. */
  private tell(name: string): void {
    if (this.told) return;
    this.told = true;
    for (const { json, position } of this.start)
      void this.inner.pushTold(name, json, position).catch(() => undefined);
  }
}
