/** Lets a command go to Redis; returns the slot when its answer has come. */
export type Release = () => void;

/**
 * Bounds the commands of one kind in flight at once, in call order, and sends none that
 * could not answer in time. For waited writes (WAIT holds its connection until the replicas
 * confirm or its timeout passes, rounded up to the server's 100 ms tick, so writes sent
 * behind it queue on the connection; one that has not run when its caller hears
 * RtRedisUnavailableError would still run later, behind the caller's back), and for reads
 * (a flood of catch-ups must not fill Redis's output buffers or hold up the pushes).
 */
export class WaitGate {
  private inFlight = 0;
  /** Commands waiting for a slot, first come first served: each tries again when one frees. */
  private readonly waiting = new Set<() => void>();

  /**
   * @param limit commands in flight at once
   * @param reserveMs the time a command must have left before its deadline to be sent
   */
  constructor(
    private readonly limit: number,
    private readonly reserveMs: number,
  ) {}

  /**
   * Resolves with `release` once the command may be sent, soon enough that it and those
   * ahead of it answer before `deadline` (epoch ms); with undefined when it may not.
   */
  enter(deadline: number): Promise<Release | undefined> {
    if (!this.inTime(deadline)) return Promise.resolve(undefined);
    if (this.waiting.size === 0 && this.inFlight < this.limit) return Promise.resolve(this.take());
    return new Promise((resolve) => {
      const finish = (release: Release | undefined): void => {
        clearTimeout(timer);
        this.waiting.delete(tryEnter);
        resolve(release);
      };
      const tryEnter = (): void => {
        if (!this.inTime(deadline)) finish(undefined);
        else if (this.inFlight < this.limit) finish(this.take());
      };
      // At the latest send time a command still waiting is turned away, whatever Date.now()
      // says: timers run on a monotonic clock, and a re-check against the wall clock that
      // found it "not yet" left the command waiting with no timer (a hang seen in CI).
      const wait = Math.max(0, this.latestSend(deadline) - Date.now() + 1);
      const timer = setTimeout(() => finish(undefined), wait);
      this.waiting.add(tryEnter);
    });
  }

  /**
   * Whether a command due by `deadline` may still be sent: also asked before a second send
   * of one that entered (a redirection), which queues behind the same commands.
   */
  inTime(deadline: number): boolean {
    return Date.now() <= this.latestSend(deadline);
  }

  private latestSend(deadline: number): number {
    return deadline - this.reserveMs;
  }

  /** Takes a slot; its release (once only) hands the slot to the first command waiting. */
  private take(): Release {
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      for (const next of this.waiting) {
        if (this.inFlight >= this.limit) break;
        next();
      }
    };
  }
}
