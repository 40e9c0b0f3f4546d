import { lastValueFrom, Observable, Subject, toArray } from 'rxjs';
import { primeStream } from '../../lib/http/prime-stream.js';

/** A source that records whether it is subscribed. */
function trackedSource<T>() {
  const subject = new Subject<T>();
  const state = { subscribed: false };
  const source = new Observable<T>((subscriber) => {
    state.subscribed = true;
    const inner = subject.subscribe(subscriber);
    return () => {
      state.subscribed = false;
      inner.unsubscribe();
    };
  });
  return { subject, source, state };
}

describe('primeStream', () => {
  it('resolves once the source emits, and replays what arrived before the consumer subscribed', async () => {
    const { subject, source } = trackedSource<number>();
    const primed = primeStream(source, new AbortController().signal);
    subject.next(1);
    subject.next(2);
    const stream = await primed;
    const all = lastValueFrom(stream.pipe(toArray()));
    subject.next(3);
    subject.complete();
    expect(await all).toEqual([1, 2, 3]);
  });

  it('rejects with the source error that comes before any value (the route can still answer 4xx/5xx)', async () => {
    const { subject, source } = trackedSource<number>();
    const primed = primeStream(source, new AbortController().signal);
    subject.error(new Error('not found'));
    await expect(primed).rejects.toThrow('not found');
  });

  // Leaving is not a server error: nothing may reach the exception filter (a 500 and an
  // error log) whatever the framework does with a late rejection.
  it('resolves to an empty stream, releasing the source, when the client leaves before it starts', async () => {
    const { source, state } = trackedSource<number>();
    const client = new AbortController();
    const primed = primeStream(source, client.signal);
    expect(state.subscribed).toBe(true);
    client.abort();
    const stream = await primed;
    expect(state.subscribed).toBe(false);
    expect(await lastValueFrom(stream.pipe(toArray()))).toEqual([]);
  });

  it('does not subscribe to the source at all for a client that already left', async () => {
    const { source, state } = trackedSource<number>();
    const client = new AbortController();
    client.abort();
    const stream = await primeStream(source, client.signal);
    expect(state.subscribed).toBe(false);
    expect(await lastValueFrom(stream.pipe(toArray()))).toEqual([]);
  });
});
