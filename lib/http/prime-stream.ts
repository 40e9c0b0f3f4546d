import { EMPTY, Observable, type Subscriber } from 'rxjs';

/**
 * Subscribes to `source` now and resolves once it has emitted (or completed), or rejects
 * with its first error: an HTTP handler can still answer 404 or 503 before the stream
 * starts. What arrives before the returned Observable is subscribed waits for it. The
 * source is released when the consumer unsubscribes or `signal` aborts. A client that left
 * before the stream started is not an error: it gets an empty stream, never a rejection
 * that an exception filter would answer with a 500.
 */
export function primeStream<T>(source: Observable<T>, signal: AbortSignal): Promise<Observable<T>> {
  if (signal.aborted) return Promise.resolve(EMPTY);
  return new Promise((resolve, reject) => {
    let target: Subscriber<T> | undefined;
    const waiting: Array<(s: Subscriber<T>) => void> = [];
    const forward = (send: (s: Subscriber<T>) => void) =>
      target ? send(target) : waiting.push(send);
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      resolve(primed);
    };
    const primed = new Observable<T>((subscriber) => {
      target = subscriber;
      for (const send of waiting.splice(0)) send(subscriber);
      return release;
    });
    const subscription = source.subscribe({
      next: (value) => {
        forward((s) => s.next(value));
        start();
      },
      error: (err: unknown) => {
        if (started) return forward((s) => s.error(err));
        started = true;
        reject(err);
      },
      complete: () => {
        forward((s) => s.complete());
        start();
      },
    });
    const release = () => {
      subscription.unsubscribe();
      signal.removeEventListener('abort', release);
      if (!started) {
        started = true;
        resolve(EMPTY);
      }
    };
    signal.addEventListener('abort', release, { once: true });
  });
}
