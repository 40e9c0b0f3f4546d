import { lastValueFrom, toArray } from 'rxjs';
import request from 'supertest';
import { RtError, type RtQueueService } from '../../lib/index.js';
import { RecordingRtQueueService, type RtQueueServiceApi } from '../../lib/testing/index.js';
import { startTestApp, TEST_SECRET, VIEWS_DIR, type TestApp } from '../helpers/test-app.js';

/** How a call ended: its value, or its error's class and message. */
async function outcome(run: () => unknown): Promise<unknown> {
  try {
    return { value: await run() };
  } catch (err) {
    return err instanceof RtError || err instanceof RangeError
      ? { error: err.name, message: err.message.replace(/agree_[\w-]+/g, '<queue>') }
      : { unexpected: String(err) };
  }
}

/**
 * One producer's and one reader's life, written against the public API only: what it
 * observes (ids aside, which come from a clock) must be the same on Redis and in memory.
 */
async function scenario(rt: RtQueueServiceApi): Promise<unknown[]> {
  const seen: unknown[] = [];
  const name = rt.createQueueName('agree');
  const streamed = lastValueFrom(rt.stream(name).pipe(toArray()));
  const queue = rt.get<{ n: number; text?: string } | Record<string, unknown>>(name);
  const first = await queue.push({ n: 1, text: 'one' });
  await queue.push({ n: 2, at: new Date(0) });
  await queue.progress(3, 4, { label: 'almost' });
  seen.push(await outcome(() => queue.push({ n: 4, fn: () => 4 })));
  seen.push(await outcome(() => queue.push({ big: 'x'.repeat(70_000) })));
  seen.push(await outcome(() => queue.push({ n: Number.NaN })));
  seen.push(await outcome(() => queue.progress(1, 0)));
  seen.push(await outcome(() => rt.get('bad name!')));
  seen.push(await outcome(() => rt.stream(name, { after: 'x' })));
  seen.push(await outcome(() => rt.createQueueName('bad prefix')));
  seen.push(await outcome(() => rt.rtUrls(name, { itemTemplate: '../etc/passwd' })));
  seen.push(await outcome(() => rt.rtUrls(name, { ttlSeconds: 1e12 })));
  seen.push(await outcome(() => rt.rtGroupUrls([])));
  await queue.complete();
  seen.push(await outcome(() => queue.complete()));
  seen.push(await outcome(() => queue.push({ n: 5 })));
  seen.push(await outcome(() => rt.get(name).push({ n: 5 })));
  seen.push((await streamed).map((message) => message.item));
  const replayAfterFirst = await lastValueFrom(rt.stream(name, { after: first }).pipe(toArray()));
  seen.push(replayAfterFirst.map((message) => message.item));
  return seen;
}

describe('nestjs-pluto-rt/testing agrees with the module', () => {
  let t: TestApp;
  let fake: RecordingRtQueueService;
  beforeAll(async () => {
    t = await startTestApp();
    fake = new RecordingRtQueueService({ secret: TEST_SECRET, templatesDir: VIEWS_DIR });
  });
  afterAll(() => t.close());

  it('the same scenario observes the same items, errors and messages', async () => {
    const onRedis = await scenario(t.rt);
    const inMemory = await scenario(fake);
    expect(inMemory).toEqual(onRedis);
    // And the scenario did exercise what it means to.
    const errors = onRedis.map((seen) => (seen as { error?: string }).error);
    expect(errors.slice(0, 10)).toEqual([
      'RtSerializationError',
      'RtMessageTooLargeError',
      'RtSerializationError',
      'RangeError',
      'RtQueueNameError',
      'RtError',
      'RtQueueNameError',
      'RtTemplateError',
      'RtError',
      'RtError',
    ]);
    expect(errors.slice(10, 13)).toEqual([
      undefined,
      'RtQueueCompleteError',
      'RtQueueCompleteError',
    ]);
    expect(onRedis.at(-2)).toHaveLength(3);
    expect(fake.queues()).toHaveLength(1);
  });

  it("signs the module's URLs: identical strings, and the app serves the recorder's URL", async () => {
    const name = t.rt.createQueueName();
    const sign = (rt: RtQueueService | RecordingRtQueueService) => ({
      html: rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item', mode: 'reverse' }),
      json: rt.rtUrls(name, { ttlSeconds: 120 }),
      group: rt.rtGroupUrls([
        { queue: name, itemTemplate: 'pluto_rt/list_item', target: '#one' },
        { queue: 'other', itemTemplate: 'pluto_rt/progress', mode: 'replace', target: '#two' },
      ]),
    });
    // Signed in the same second, or again (expiry is in whole seconds).
    let real = sign(t.rt);
    let recorded = sign(fake);
    while (JSON.stringify(sign(t.rt)) !== JSON.stringify(real)) {
      real = sign(t.rt);
      recorded = sign(fake);
    }
    expect(recorded).toEqual(real);

    await t.rt.get(name).push({ n: 1, text: 'served' });
    const res = await request(t.url).get(fake.rtUrls(name).poll);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ id: expect.any(String), item: { n: 1, text: 'served' } }]);
  });
});
