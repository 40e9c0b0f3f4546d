import { EMPTY, Observable, type Observer, type Subscriber, type Subscription } from 'rxjs';

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
    const primer = new Primer<T>(signal, resolve, reject);
    primer.stream = new Observable<T>((subscriber) => primer.attach(subscriber));
    primer.listen(source);
  });
}

/**
 * One object plays every part but the Observable itself: the source's observer, the abort
 * signal's listener and the consumer's teardown. Every open stream holds one for its whole
 * life, so one object instead of a closure (and its scope) per part is memory per stream.
 */
class Primer<T> implements Observer<T> {
  /** What the consumer subscribes to, once resolved. */
  stream: Observable<T> = EMPTY;
  private target?: Subscriber<T>;
  /** What the source sent before the consumer subscribed. */
  private waiting?: T[];
  /** How the source ended before the consumer subscribed: `true`, or the error. */
  private ended?: true | { error: unknown };
  private started = false;
  private subscription?: Subscription;

  constructor(
    private readonly signal: AbortSignal,
    private resolve: ((stream: Observable<T>) => void) | undefined,
    private reject: ((err: unknown) => void) | undefined,
  ) {}

  /** Subscribes to the source (once `stream` is set: the source may emit at once). */
  listen(source: Observable<T>): void {
    this.signal.addEventListener('abort', this, { once: true });
    this.subscription = source.subscribe(this);
  }

  next(value: T): void {
    if (this.target) this.target.next(value);
    else (this.waiting ??= []).push(value);
    this.start(this.stream);
  }

  error(err: unknown): void {
    if (!this.started) {
      this.started = true;
      this.signal.removeEventListener('abort', this);
      this.reject?.(err);
      this.resolve = this.reject = undefined;
    } else if (this.target) this.target.error(err);
    else this.ended = { error: err };
  }

  complete(): void {
    if (this.target) this.target.complete();
    else this.ended = true;
    this.start(this.stream);
  }

  /** The client left (the signal's 'abort'). */
  handleEvent(): void {
    this.unsubscribe();
  }

  /** Releases the source: the consumer unsubscribed, or the client left. */
  unsubscribe(): void {
    this.subscription?.unsubscribe();
    this.signal.removeEventListener('abort', this);
    this.start(EMPTY);
  }

  /** The consumer subscribed: it gets what waited, then the rest as it comes. */
  attach(subscriber: Subscriber<T>): Primer<T> {
    this.target = subscriber;
    const { waiting, ended } = this;
    this.waiting = this.ended = undefined;
    for (const value of waiting ?? []) subscriber.next(value);
    if (ended === true) subscriber.complete();
    else if (ended) subscriber.error(ended.error);
    return this;
  }

  private start(stream: Observable<T>): void {
    if (this.started) return;
    this.started = true;
    this.resolve?.(stream);
    this.resolve = this.reject = undefined;
  }
}
