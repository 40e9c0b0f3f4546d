import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import {
  RtError,
  RtMessageTooLargeError,
  RtOptionsError,
  RtQueueCompleteError,
  RtQueueFullError,
  RtQueueNameError,
  RtQueueNotFoundError,
  RtSerializationError,
  RtTemplateError,
  type RtMessage,
  type RtProgressItem,
} from '../../lib/index.js';
import { RecordingRtQueueService } from '../../lib/testing/index.js';
import { VIEWS_DIR } from '../helpers/test-app.js';

const SECRET = 'testing-secret-0123456789-abcdefghijkl';

describe('RecordingRtQueueService (nestjs-pluto-rt/testing)', () => {
  let rt: RecordingRtQueueService;
  beforeEach(() => {
    rt = new RecordingRtQueueService({ secret: SECRET });
  });

  it('records pushes and completion per queue, as a reader gets them', async () => {
    const a = rt.createQueueName('job');
    const b = rt.createQueueName('job');
    const queueA = rt.get<{ n: number; at?: Date } | RtProgressItem>(a);
    await queueA.push({ n: 1 });
    await rt.get(b).push('other');
    await queueA.progress(1, 4, { label: 'quarter' });
    // A Date is recorded as its JSON, like Redis stores it.
    await queueA.push({ n: 2, at: new Date(0) });
    await queueA.complete();

    expect(rt.queues()).toEqual([a, b]);
    expect(rt.pushed(a)).toEqual([
      { n: 1 },
      { label: 'quarter', type: 'progress', value: 1, max: 4, percent: 25 },
      { n: 2, at: '1970-01-01T00:00:00.000Z' },
    ]);
    expect(rt.pushed(b)).toEqual(['other']);
    expect(rt.isCompleted(a)).toBe(true);
    expect(rt.isCompleted(b)).toBe(false);
    expect(rt.pushed('never')).toEqual([]);
    expect(rt.isCompleted('never')).toBe(false);

    const ids = rt.messages(a).map((m) => m.id);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
    expect(new Set(ids).size).toBe(3);

    rt.reset();
    expect(rt.queues()).toEqual([]);
    expect(rt.pushed(a)).toEqual([]);
    expect(rt.isCompleted(a)).toBe(false);
  });

  it('push resolves to the entry id that stream() reports', async () => {
    const name = rt.createQueueName();
    const id = await rt.get(name).push({ x: 1 });
    expect(rt.messages(name)).toEqual([{ id, item: { x: 1 } }]);
  });

  it('refuses bad input with the module errors', async () => {
    expect(() => rt.get('bad name')).toThrow(RtQueueNameError);
    expect(() => rt.get('')).toThrow(RtQueueNameError);
    expect(() => rt.stream('a/b')).toThrow(RtQueueNameError);
    expect(() => rt.rtUrls('x'.repeat(201))).toThrow(RtQueueNameError);
    expect(() => rt.createQueueName('no spaces')).toThrow(RtQueueNameError);
    expect(() => rt.stream('q', { after: 'nope' })).toThrow(RtError);

    const queue = rt.get(rt.createQueueName());
    await expect(queue.push(undefined)).rejects.toThrow(RtSerializationError);
    await expect(queue.push({ f: () => 1 })).rejects.toMatchObject({
      reason: 'function',
      path: '$.f',
    });
    await expect(queue.push(10n)).rejects.toThrow(RtSerializationError);
    await expect(queue.progress(1, 0)).rejects.toThrow(RangeError);
    // Nothing was written by a refused push.
    expect(rt.pushed(queue.name)).toEqual([]);
  });

  it('refuses pushes after complete, from this handle or another, and completes idempotently', async () => {
    const name = rt.createQueueName();
    const queue = rt.get(name);
    await queue.push(1);
    await queue.complete();
    await queue.complete();
    await expect(queue.push(2)).rejects.toThrow(RtQueueCompleteError);
    await expect(rt.get(name).push(2)).rejects.toEqual(new RtQueueCompleteError(name));
    expect(rt.pushed(name)).toEqual([1]);
  });

  it('enforces maxMessageBytes and maxMessages', async () => {
    const small = new RecordingRtQueueService({ maxMessageBytes: 16, maxMessages: 2 });
    const queue = small.get(small.createQueueName());
    await expect(queue.push('x'.repeat(20))).rejects.toThrow(RtMessageTooLargeError);
    await queue.push(1);
    await queue.push(2);
    await expect(queue.push(3)).rejects.toThrow(RtQueueFullError);
    expect(small.pushed(queue.name)).toEqual([1, 2]);
  });

  it('validates its options with the module rules', () => {
    expect(() => new RecordingRtQueueService({ secret: 'short' })).toThrow(RtOptionsError);
    expect(() => new RecordingRtQueueService({ maxMessages: 0 })).toThrow(RtOptionsError);
    expect(() => new RecordingRtQueueService({ routePrefix: '/bad/' })).toThrow(/routePrefix/);
    expect(() => new RecordingRtQueueService()).not.toThrow();
  });

  it('streams recorded items, then later ones, until complete; honours `after`', async () => {
    const name = rt.createQueueName();
    const queue = rt.get<{ n: number }>(name);
    const first = await queue.push({ n: 1 });
    await queue.push({ n: 2 });

    const all = lastValueFrom(rt.stream<{ n: number }>(name).pipe(toArray()));
    const afterFirst = lastValueFrom(rt.stream(name, { after: first }).pipe(toArray()));
    expect(rt.stats()).toMatchObject({ streams: 2, queues: 1, waitingForStart: 0 });
    await queue.push({ n: 3 });
    await queue.complete();

    const items = (messages: RtMessage[]) => messages.map((m) => m.item);
    expect(items(await all)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(items(await afterFirst)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(rt.stats()).toEqual({
      streams: 0,
      queues: 0,
      catchingUp: 0,
      waitingForStart: 0,
      sseStreams: 0,
    });
    // A completed queue replays and ends at once.
    expect(items(await lastValueFrom(rt.stream(name).pipe(toArray())))).toHaveLength(3);
  });

  it('waits for a queue that has not started; reset() fails open streams', async () => {
    const name = rt.createQueueName();
    const waiting = firstValueFrom(rt.stream(name));
    expect(rt.stats()).toMatchObject({ streams: 1, waitingForStart: 1 });
    await rt.get(name).push('hello');
    await expect(waiting).resolves.toMatchObject({ item: 'hello' });

    const open = lastValueFrom(rt.stream(name));
    rt.reset();
    await expect(open).rejects.toEqual(new RtQueueNotFoundError(name));
    expect(rt.stats().streams).toBe(0);
  });

  it('checks template names always, and their files when templatesDir is given', () => {
    expect(() => rt.rtUrls('q', { itemTemplate: 'elsewhere/x' })).toThrow(RtTemplateError);
    expect(() => rt.rtUrls('q', { itemTemplate: 'pluto_rt/../x' })).toThrow(RtTemplateError);
    expect(rt.rtUrls('q', { itemTemplate: 'pluto_rt/anything' }).grant.format).toBe('html');

    const withViews = new RecordingRtQueueService({ secret: SECRET, templatesDir: VIEWS_DIR });
    expect(() => withViews.rtUrls('q', { itemTemplate: 'pluto_rt/missing' })).toThrow(
      expect.objectContaining({ reason: 'unknown' }),
    );
    expect(withViews.rtUrls('q', { itemTemplate: 'pluto_rt/list_item' }).sse).toContain(
      '/pluto-rt/sse/q?',
    );
  });

  it('refuses bad URL options like the module', () => {
    expect(() => rt.rtUrls('q', { mode: 'sideways' as never })).toThrow(RtError);
    expect(() => rt.rtUrls('q', { ttlSeconds: 0 })).toThrow(/ttlSeconds/);
    expect(() => rt.rtGroupUrls([])).toThrow(/Invalid group/);
    expect(() => rt.rtGroupUrls('q' as never)).toThrow(RtError);
    const group = rt.rtGroupUrls([{ queue: 'a' }, { queue: 'b' }]);
    expect(group.grant.format).toBe('json');
    expect(group.poll.startsWith('/pluto-rt/')).toBe(true);
  });
});
