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
  /**
   * Pushes called before the oldest one has settled (1: each is awaited before the next).
   * With more, the store's call order is on trial: see `outOfOrderInRecord`. @default 1
   */
  inFlight?: number;
  /** More handles on the same queue, used in turn with the first, as parts of a job would. */
  handles?: RtQueue[];
}

/**
 * Pushes `{ n, text }` onto a queue one after another, a few ms apart, until stopped,
 * recording each outcome in call order: a job that keeps working through a fault.
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
    const handles = [this.queue, ...(this.options.handles ?? [])];
    const inFlight = new Set<Promise<void>>();
    for (let n = firstN; this.running && n < end; n++) {
      await this.options.gate?.(n);
      while (inFlight.size >= (this.options.inFlight ?? 1)) await Promise.race(inFlight);
      if (!this.running) break;
      const outcome: PushOutcome = { n, startedAt: Date.now(), settledAt: 0 };
      this.outcomes.push(outcome);
      const settled: Promise<void> = handles[n % handles.length]!.push({ n, text: `m${n}` })
        .then(
          (id) => void (outcome.id = id),
          (err: unknown) => void (outcome.error = err),
        )
        .finally(() => {
          outcome.settledAt = Date.now();
          inFlight.delete(settled);
        });
      inFlight.add(settled);
      await new Promise((resolve) => setTimeout(resolve, this.gapMs));
    }
    await Promise.all(inFlight);
  }
}
