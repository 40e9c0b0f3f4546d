/**
 * Lets a test client wait for a condition on what it recorded without polling: the client
 * calls notify() after each change, and every pending until() re-tests its condition then.
 */
export class ChangeWaiters {
  private readonly waiters = new Set<() => void>();

  /**
   * Resolves with the first truthy value of `check`, tested now and on every notify().
   * Rejects with what `check` throws, or after `timeoutMs` with the message `timedOut()`
   * gives (built then, so that it shows what had arrived by that time).
   */
  until<T>(check: () => T, timeoutMs: number, timedOut: () => string): Promise<NonNullable<T>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(timedOut()));
      }, timeoutMs);
      const waiter = () => {
        let value: T;
        try {
          value = check();
        } catch (err) {
          this.finish(waiter, timer);
          reject(err);
          return;
        }
        if (!value) return;
        this.finish(waiter, timer);
        resolve(value as NonNullable<T>);
      };
      this.waiters.add(waiter);
      waiter();
    });
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private finish(waiter: () => void, timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.waiters.delete(waiter);
  }
}
