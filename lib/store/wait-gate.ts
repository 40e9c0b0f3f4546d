/**
 * Bounds the writes that wait for replicas in flight at once. WAIT holds its connection
 * until the replicas confirm or its timeout passes (rounded up to the server's cron tick,
 * 100 ms at the default hz), so writes sent behind it queue on the connection; one that
 * has not run when its caller hears RtRedisUnavailableError would still run later, behind
 * the caller's back. Writes beyond the bound wait here instead, and one that cannot be
 * sent with time to spare before its deadline is never sent at all.
 */
export class WaitGate {
  private inFlight = 0;
  private readonly waiting = new Set<() => void>();

  /**
   * @param limit writes in flight at once
   * @param reserveMs the time a write must have left before its deadline to be sent
   */
  constructor(
    private readonly limit: number,
    private readonly reserveMs: number,
  ) {}

  /**
   * Resolves with `release` once the write may be sent, soon enough that it and those ahead
   * of it answer before `deadline` (epoch ms); resolves with undefined when it may not.
   */
  enter(deadline: number): Promise<(() => void) | undefined> {
    const latest = this.latestSend(deadline);
    return new Promise((resolve) => {
      const tryEnter = () => {
        if (!this.inTime(deadline)) return finish(undefined);
        if (this.inFlight >= this.limit) return;
        this.inFlight++;
        let released = false;
        finish(() => {
          if (released) return;
          released = true;
          this.inFlight--;
          for (const next of this.waiting) {
            if (this.inFlight >= this.limit) break;
            next();
          }
        });
      };
      // At the latest send time a write still waiting is turned away, whatever Date.now()
      // says: timers run on a monotonic clock, and a re-check against the wall clock that
      // found it "not yet" left the write waiting with no timer (a hang seen in CI).
      const timer = setTimeout(() => finish(undefined), Math.max(0, latest - Date.now() + 1));
      const finish = (release: (() => void) | undefined) => {
        clearTimeout(timer);
        this.waiting.delete(tryEnter);
        resolve(release);
      };
      this.waiting.add(tryEnter);
      tryEnter();
    });
  }

  /**
   * Whether a write due by `deadline` may still be sent: also asked before a second send of
   * one that entered (after NOSCRIPT, a redirection), which queues behind the same writes.
   */
  inTime(deadline: number): boolean {
    return Date.now() <= this.latestSend(deadline);
  }

  private latestSend(deadline: number): number {
    return deadline - this.reserveMs;
  }
}
