import request from 'supertest';
import { ResumingEventSource } from './helpers/resuming-event-source.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const TTL_S = 1;
/**
 * Long beside the slack below, so that a close that waits for a second sweep (or never
 * comes) fails the sweep bound.
 */
const SWEEP_MS = 1_000;
/** Redis expires a key within a few ms of its time; allow for a loaded CI box. */
const SLACK_MS = 1_000;
/**
 * What a close may take beyond sweepIntervalMs: the sweep's one Redis command (EXISTS of the
 * idle queues) and the frame's write, with timers running late on a busy 2-core box.
 */
const ROUND_TRIP_SLACK_MS = 300;

/**
 * Queues expire on their own (completed ones after completedTtlSeconds, abandoned ones
 * after idleTtlSeconds), and whoever asks afterwards is told "gone", never left hanging.
 */
describe('expiry', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      options: {
        completedTtlSeconds: TTL_S,
        idleTtlSeconds: TTL_S,
        sweepIntervalMs: SWEEP_MS,
        sseRetryMs: 100,
      },
    });
  });
  afterAll(() => t.close());

  const urlsOf = (name: string) => t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
  /** Status of a JSON poll of queue `name`. */
  const pollStatus = async (name: string) =>
    (await request(t.url).get(t.rt.rtUrls(name).poll)).status;

  /**
   * Answers to a queue that is gone: a JSON poller and a plain client get 404 (an
   * EventSource stops on it: no retry), an htmx poller is stopped (286 and an inert poller: a
   * 404 would have it poll on), a page's stream element gets a notice and `event: close` /
   * `data: gone` at once.
   */
  async function expectGone(name: string) {
    const { sse, poll } = urlsOf(name);
    expect(await pollStatus(name)).toBe(404);
    const htmx = await request(t.url)
      .get(`${poll}&el=poller&target=%23results`)
      .set('HX-Request', 'true');
    expect(htmx.status).toBe(286);
    expect(htmx.text).not.toContain('hx-get');
    const plain = await request(t.url).get(sse).set('Accept', '*/*');
    expect(plain.status).toBe(404);
    expect(plain.text).toMatch(/expired/);
    const source = new ResumingEventSource(t.url + sse);
    await source.until(() => source.es.readyState === source.es.CLOSED, 'the EventSource to stop');
    expect([source.messages, source.requests.length]).toEqual([[], 1]);
    const element = new ResumingEventSource(`${t.url}${sse}&el=live`);
    expect(await element.untilClosed(5_000)).toBe('gone');
    expect(element.messages.map((m) => m.data)).toEqual([
      expect.stringContaining('data-reason="gone"'),
    ]);
    expect(element.requests).toHaveLength(1);
  }

  it(`a completed queue is served until completedTtlSeconds (${TTL_S} s) pass, then gone for everyone`, async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    await queue.push({ n: 1, text: 'one' });
    await queue.complete();
    const completedAt = Date.now();
    expect(await pollStatus(name)).toBe(200);
    await waitFor(
      async () => (await pollStatus(name)) === 404,
      'the completed queue to expire',
      TTL_S * 1000 + SLACK_MS,
    );
    const lifetime = Date.now() - completedAt;
    process.stdout.write(
      `[expiry] completed queue gone ${lifetime} ms after complete() (completedTtlSeconds ${TTL_S})\n`,
    );
    expect(lifetime).toBeGreaterThanOrEqual(TTL_S * 1000 - 50);
    await expectGone(name);
  });

  it(`an abandoned queue (no push for idleTtlSeconds = ${TTL_S} s) is gone, and each push had kept it alive`, async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    // Pushes spread over more than the idle expiry keep the queue: each one refreshes it.
    const start = Date.now();
    for (let n = 0; Date.now() - start < TTL_S * 1000 * 1.5; n++) {
      await queue.push({ n, text: `keepalive ${n}` });
      await new Promise((resolve) => setTimeout(resolve, 100)); // the job's pace, not a wait for a condition
    }
    expect(await pollStatus(name)).toBe(200);
    const lastPush = Date.now();
    await waitFor(
      async () => (await pollStatus(name)) === 404,
      'the abandoned queue to expire',
      TTL_S * 1000 + SLACK_MS,
    );
    process.stdout.write(
      `[expiry] abandoned queue gone ${Date.now() - lastPush} ms after its last push (idleTtlSeconds ${TTL_S})\n`,
    );
    await expectGone(name);
  });

  /**
   * A stream's queue is due for the sweep's check once idleTtlSeconds have passed since its
   * last push (dated by the entry id, Redis's clock: the moment the key's expiry was set), so
   * the first sweep after the key goes finds it missing.
   */
  it(`an SSE stream open on a queue that expires is closed with event: close / data: gone within sweepIntervalMs (${SWEEP_MS} ms) of the expiry, plus the sweep's Redis round trip`, async () => {
    const name = t.rt.createQueueName();
    const lastId = await t.rt.get(name).push({ n: 1, text: 'abandoned soon' });
    const client = await RawSseClient.open(t.url + urlsOf(name).sse);
    await client.untilItems(1);
    // Watch Redis for the moment the key goes, to time the close against it.
    await waitFor(
      async () => (await t.redis.exists(t.key(name))) === 0,
      'the key to expire',
      TTL_S * 1000 + SLACK_MS,
    );
    const expiredAt = Date.now();
    await client.until(
      () => client.events.some((e) => e.event === 'close'),
      'event: close',
      SWEEP_MS + SLACK_MS, // longer than the bound below, so that a late close shows its delay
    );
    const delay = Date.now() - expiredAt;
    process.stdout.write(
      `[expiry] open stream closed ${delay} ms after its queue expired (sweepIntervalMs ${SWEEP_MS})\n`,
    );
    expect(delay).toBeLessThanOrEqual(SWEEP_MS + ROUND_TRIP_SLACK_MS);
    // Its id is the last item's: a reconnect would resume after it (and hear "gone" again).
    expect(client.events.at(-1)).toMatchObject({ event: 'close', data: 'gone', id: lastId });
    await client.untilEnd();
    await waitFor(() => t.rt.stats().streams === 0, 'the stream to be released');
  });
});
