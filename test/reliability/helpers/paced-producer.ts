import type { RtQueue } from '../../../lib/index.js';

/** One push of a PacedProducer and how it ended. */
export interface PushOutcome {
  n: number;
  startedAt: number;
  settledAt: number;
  id?: string;
  error?: unknown;
}

export interface PacedProducerOptions {
  /** Stop by itself after this many pushes (ok or not). @default unlimited */
  limit?: number;
  /** Awaited before push `n` (a test holding the job at a chosen point); undefined: go on. */
  gate?: (n: number) => Promise<void> | undefined;
}

/**
 * Pushes `{ n, text }` onto a queue one after another, a few ms apart, until stopped,
 * recording each outcome: a job that keeps working through a fault.
 */
export class PacedProducer {
  readonly outcomes: PushOutcome[] = [];
  private running = true;
  /** Resolves once the producer has stopped (stop(), or its limit reached). */
  readonly done: Promise<void>;

  constructor(
    private readonly queue: RtQueue,
    private readonly gapMs = 5,
    firstN = 0,
    private readonly options: PacedProducerOptions = {},
  ) {
    this.done = this.run(firstN);
  }

  get ok(): PushOutcome[] {
    return this.outcomes.filter((o) => o.id !== undefined);
  }

  get failed(): PushOutcome[] {
    return this.outcomes.filter((o) => o.error !== undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async run(firstN: number): Promise<void> {
    const end = firstN + (this.options.limit ?? Infinity);
    for (let n = firstN; this.running && n < end; n++) {
      await this.options.gate?.(n);
      if (!this.running) return;
      const outcome: PushOutcome = { n, startedAt: Date.now(), settledAt: 0 };
      try {
        outcome.id = await this.queue.push({ n, text: `m${n}` });
      } catch (err) {
        outcome.error = err;
      }
      outcome.settledAt = Date.now();
      this.outcomes.push(outcome);
      await new Promise((resolve) => setTimeout(resolve, this.gapMs));
    }
  }
}
