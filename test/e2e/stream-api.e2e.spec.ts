import { firstValueFrom, lastValueFrom, timeout, toArray, type Observable } from 'rxjs';
import { RtError, RtQueueNotFoundError, type RtMessage } from '../../lib/index.js';
import { goneQueue } from '../helpers/gone-queue.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

/** Collects a stream's messages as they come; `done` settles when it completes or errors. */
function collect(stream: Observable<RtMessage>) {
  const received: RtMessage[] = [];
  const state = { completed: false };
  let subscription!: { unsubscribe(): void };
  const done = new Promise<RtMessage[]>((resolve, reject) => {
    subscription = stream.subscribe({
      next: (message) => received.push(message),
      error: reject,
      complete: () => {
        state.completed = true;
        resolve(received);
      },
    });
  });
  return { received, done, subscription, state };
}

describe('RtQueueService.stream() (e2e)', () => {
  let t: TestApp;
  /**
   * An app whose completed queues expire in a second and whose streams wait a second for a
   * queue to start (checked every 200 ms).
   */
  let short: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    short = await startTestApp({
      options: { completedTtlSeconds: 1, startTimeoutSeconds: 1, sweepIntervalMs: 200 },
    });
  });

  afterEach(async () => {
    await waitFor(
      () => t.rt.stats().streams === 0 && short.rt.stats().streams === 0,
      'all streams to be released',
    );
  });

  afterAll(async () => {
    await t.close();
    await short.close();
  });

  /** Waits until `app` has `count` streams waiting for their queue's first push. */
  function untilWaiting(count: number, app: TestApp = t): Promise<unknown> {
    return waitFor(
      () => app.rt.stats().waitingForStart === count,
      `${count} stream(s) waiting for their queue to start`,
    );
  }

  const numsub = (name: string): Promise<number> => t.subscribers(name);

  async function filledQueue(count: number): Promise<{ name: string; ids: string[] }> {
    const name = t.rt.createQueueName();
    const q = t.rt.get(name);
    const ids: string[] = [];
    for (let n = 1; n <= count; n++) ids.push(await q.push({ n }));
    return { name, ids };
  }

  it('streams every item from the start and completes at the end marker', async () => {
    const { name, ids } = await filledQueue(3);
    await t.rt.get(name).complete();
    const messages = await lastValueFrom(t.rt.stream(name).pipe(toArray()));
    expect(messages).toEqual([
      { id: ids[0], item: { n: 1 } },
      { id: ids[1], item: { n: 2 } },
      { id: ids[2], item: { n: 3 } },
    ]);
  });

  it('streams only the items after {after}', async () => {
    const { name, ids } = await filledQueue(4);
    await t.rt.get(name).complete();
    const messages = await lastValueFrom(t.rt.stream(name, { after: ids[1] }).pipe(toArray()));
    expect(messages.map((m) => m.id)).toEqual(ids.slice(2));
    expect(messages.map((m) => m.item)).toEqual([{ n: 3 }, { n: 4 }]);
  });

  it.each(['x', '1-', '1-2-3', '-1-0', '12345678901234567-0', ' 1-0'])(
    'throws an RtError naming the cursor for a malformed {after} %j, and opens nothing',
    async (after) => {
      const { name } = await filledQueue(1);
      const call = () => t.rt.stream(name, { after });
      expect(call).toThrow(RtError);
      expect(call).toThrow(`Invalid cursor ${JSON.stringify(after)}`);
      expect(t.rt.stats()).toEqual({
        streams: 0,
        queues: 0,
        catchingUp: 0,
        waitingForStart: 0,
        sseStreams: 0,
      });
    },
  );

  it('completes at once when started after the last item of a completed queue', async () => {
    const { name, ids } = await filledQueue(2);
    await t.rt.get(name).complete();
    const { done, state } = collect(t.rt.stream(name, { after: ids[1] }));
    await waitFor(() => state.completed, 'the stream to complete', 3_000);
    expect(await done).toEqual([]);
  });

  it('delivers history then live items, and completes when the queue completes', async () => {
    const { name, ids } = await filledQueue(2);
    const q = t.rt.get(name);
    const { received, done, state } = collect(t.rt.stream(name));
    await waitFor(() => received.length === 2, 'the history');
    ids.push(await q.push({ n: 3 }));
    await waitFor(() => received.length === 3, 'the live item');
    expect(state.completed).toBe(false);
    await q.complete();

    const messages = await done;
    expect(messages.map((m) => m.id)).toEqual(ids);
    expect(t.rt.stats().streams).toBe(0);
  });

  it('errors with RtQueueNotFoundError for a gone queue (completed, then expired)', async () => {
    const gone = await goneQueue(short);
    await expect(firstValueFrom(short.rt.stream(gone))).rejects.toBeInstanceOf(
      RtQueueNotFoundError,
    );
  });

  it('releases the stream and the reader subscription on unsubscribe', async () => {
    const { name } = await filledQueue(1);
    const { received, subscription } = collect(t.rt.stream(name));
    await waitFor(() => received.length === 1, 'the history');
    expect(t.rt.stats()).toMatchObject({ streams: 1, queues: 1 });
    expect(await numsub(name)).toBe(1);

    subscription.unsubscribe();
    expect(t.rt.stats()).toEqual({
      streams: 0,
      queues: 0,
      catchingUp: 0,
      waitingForStart: 0,
      sseStreams: 0,
    });
    await waitFor(async () => (await numsub(name)) === 0, 'the reader to unsubscribe');
  });

  it('leaves no subscription behind for a stream unsubscribed before its SUBSCRIBE went out', async () => {
    const { name } = await filledQueue(1);
    t.rt.stream(name).subscribe().unsubscribe();
    expect(t.rt.stats()).toMatchObject({ streams: 0, queues: 0 });
    // Commands on the reader go out in order: once a later stream is live, a SUBSCRIBE of
    // the first one would have been answered.
    const later = await filledQueue(1);
    const { received, subscription } = collect(t.rt.stream(later.name));
    await waitFor(() => received.length === 1, 'the later stream to be live');
    expect(await numsub(later.name)).toBe(1);
    expect(await numsub(name)).toBe(0);
    subscription.unsubscribe();
  });

  it('keeps the subscription of a new stream on a queue whose earlier stream just left', async () => {
    const { name } = await filledQueue(1);
    t.rt.stream(name).subscribe().unsubscribe();
    const { received, subscription } = collect(t.rt.stream(name));
    await waitFor(() => received.length === 1, 'the history');
    await t.rt.get(name).push({ n: 2 });
    await waitFor(() => received.length === 2, 'the live push');
    expect(await numsub(name)).toBe(1);
    subscription.unsubscribe();
  });

  it('delivers 1,000 quick pushes in push order', async () => {
    const name = t.rt.createQueueName();
    const q = t.rt.get(name);
    const first = await q.push({ n: 0 });
    const { received, done } = collect(t.rt.stream(name));
    await waitFor(() => received.length === 1, 'the first item');

    // Not awaited one by one: all 999 are in flight together.
    const rest = await Promise.all(Array.from({ length: 999 }, (_, i) => q.push({ n: i + 1 })));
    await q.complete();
    const messages = await done;

    const ids = [first, ...rest];
    expect(messages).toHaveLength(1000);
    expect(messages.map((m) => (m.item as { n: number }).n)).toEqual(
      Array.from({ length: 1000 }, (_, n) => n),
    );
    expect(messages.map((m) => m.id)).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
  });

  describe('a queue not started yet (no push)', () => {
    it('waits: a subscriber from before the first push gets every item in order, then completes', async () => {
      const name = t.rt.createQueueName();
      const { received, done, state } = collect(t.rt.stream(name));
      await untilWaiting(1);
      expect(received).toEqual([]);
      expect(state.completed).toBe(false);

      const q = t.rt.get(name);
      const ids = [await q.push({ n: 1 }), await q.push({ n: 2 }), await q.push({ n: 3 })];
      await q.complete();
      expect(await done).toEqual([
        { id: ids[0], item: { n: 1 } },
        { id: ids[1], item: { n: 2 } },
        { id: ids[2], item: { n: 3 } },
      ]);
      expect(t.rt.stats().waitingForStart).toBe(0);
    });

    it('completes a waiting subscriber with no items when complete() comes without a push', async () => {
      const name = t.rt.createQueueName();
      const { done } = collect(t.rt.stream(name));
      await untilWaiting(1);
      await t.rt.get(name).complete();
      expect(await done).toEqual([]);
    });

    it('errors with RtQueueNotFoundError once startTimeoutSeconds pass without a push', async () => {
      const name = short.rt.createQueueName();
      const subscribedAt = Date.now();
      const { received, done } = collect(short.rt.stream(name));
      await untilWaiting(1, short);
      await expect(done).rejects.toBeInstanceOf(RtQueueNotFoundError);
      expect(Date.now() - subscribedAt).toBeGreaterThanOrEqual(1_000);
      expect(received).toEqual([]);
      expect(short.rt.stats()).toMatchObject({ streams: 0, waitingForStart: 0 });
    });

    it('errors at once for a resume ({after}) on a queue that never started', async () => {
      const name = t.rt.createQueueName();
      // t waits an hour for a start: only "gone at once" settles within the timeout.
      await expect(
        firstValueFrom(t.rt.stream(name, { after: '1700000000000-0' }).pipe(timeout(3_000))),
      ).rejects.toBeInstanceOf(RtQueueNotFoundError);
      expect(t.rt.stats().waitingForStart).toBe(0);
    });

    it('counts waiting streams in stats().waitingForStart, back to 0 as they start or leave', async () => {
      const [a, b] = [t.rt.createQueueName(), t.rt.createQueueName()];
      const onA = [collect(t.rt.stream(a)), collect(t.rt.stream(a))];
      const onB = collect(t.rt.stream(b));
      await untilWaiting(3);
      expect(t.rt.stats()).toMatchObject({ streams: 3, queues: 2, waitingForStart: 3 });

      await t.rt.get(a).push({ n: 1 });
      await waitFor(() => onA.every((s) => s.received.length === 1), "A's first item");
      expect(t.rt.stats()).toMatchObject({ streams: 3, waitingForStart: 1 });

      onB.subscription.unsubscribe();
      expect(t.rt.stats()).toMatchObject({ streams: 2, queues: 1, waitingForStart: 0 });

      await t.rt.get(a).complete();
      await Promise.all(onA.map((s) => s.done));
      expect(t.rt.stats()).toEqual({
        streams: 0,
        queues: 0,
        catchingUp: 0,
        waitingForStart: 0,
        sseStreams: 0,
      });
    });
  });
});
