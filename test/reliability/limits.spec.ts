import http from 'node:http';
import request from 'supertest';
import { RtMessageTooLargeError, RtQueueCompleteError, RtQueueFullError } from '../../lib/index.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

const MAX_BYTES = 1024;
const MAX_MESSAGES = 5;
const MAX_STREAMS = 5;

/** An item whose JSON is exactly `bytes` bytes long (with multi-byte characters in it). */
const itemOfBytes = (bytes: number) => {
  const head = { text: 'é€' }; // 2 + 3 bytes in UTF-8
  const base = Buffer.byteLength(JSON.stringify(head));
  return { text: `é€${'x'.repeat(bytes - base)}` };
};

describe('limits', () => {
  let t: TestApp;
  const agent = new http.Agent({ keepAlive: false });
  beforeAll(async () => {
    t = await startTestApp({
      options: { maxMessageBytes: MAX_BYTES, maxMessages: MAX_MESSAGES, maxStreams: MAX_STREAMS },
    });
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  const xlen = (name: string) => t.redis.xlen(t.key(name));

  it(`maxMessageBytes (${MAX_BYTES}): an item of exactly that many UTF-8 bytes is stored; one byte more rejects, writing nothing`, async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    expect(Buffer.byteLength(JSON.stringify(itemOfBytes(MAX_BYTES)))).toBe(MAX_BYTES);
    await queue.push(itemOfBytes(MAX_BYTES));
    const error = await queue.push(itemOfBytes(MAX_BYTES + 1)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RtMessageTooLargeError);
    expect(String((error as Error).message)).toMatch(new RegExp(`${MAX_BYTES + 1}.*${MAX_BYTES}`));
    expect(await xlen(name)).toBe(1);
  });

  it(`maxMessages (${MAX_MESSAGES}): push ${MAX_MESSAGES + 1} rejects with RtQueueFullError; complete() still ends the queue for readers`, async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    for (let n = 0; n < MAX_MESSAGES; n++) await queue.push({ n, text: `m${n}` });
    const error = await queue
      .push({ n: MAX_MESSAGES, text: 'one too many' })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RtQueueFullError);
    expect(await xlen(name)).toBe(MAX_MESSAGES);
    await queue.complete();
    const client = await RawSseClient.open(
      t.url + t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse,
    );
    await client.untilEnd();
    expect(client.listItems.map((item) => item.n)).toEqual([0, 1, 2, 3, 4]); // MAX_MESSAGES
    expect(client.events.at(-1)).toMatchObject({ event: 'close', data: 'complete' });
  });

  it('a push onto a completed queue through another handle (another worker) rejects with RtQueueCompleteError', async () => {
    const name = t.rt.createQueueName();
    await t.rt.get(name).push({ n: 1, text: 'one' });
    await t.rt.get(name).complete();
    const error = await t.rt
      .get(name)
      .push({ n: 2, text: 'late' })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RtQueueCompleteError);
    expect(await xlen(name)).toBe(2); // the item and the end marker
  });

  describe(`maxStreams (${MAX_STREAMS})`, () => {
    let sse: string;
    let jsonPoll: string;
    beforeAll(async () => {
      const name = t.rt.createQueueName();
      await t.rt.get(name).push({ n: 1, text: 'one' });
      sse = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
      jsonPoll = t.rt.rtUrls(name).poll;
    });
    const open = () => RawSseClient.open(t.url + sse, { agent });

    it('the 6th stream gets 503 with a plain message; once one closes, a new one is accepted', async () => {
      const clients = [];
      for (let i = 0; i < MAX_STREAMS; i++) clients.push(await open());
      expect(clients.map((c) => c.status)).toEqual(Array(MAX_STREAMS).fill(200));
      expect(t.rt.stats().streams).toBe(MAX_STREAMS);

      const refused = await request(t.url).get(sse).set('Accept', 'text/event-stream');
      expect(refused.status).toBe(503);
      expect(refused.headers['content-type']).toMatch(/^text\/plain/);
      expect(refused.text).toBe('Too many open streams on this server: retry later');
      // Polling is not a stream: it still works at the limit.
      expect((await request(t.url).get(jsonPoll)).status).toBe(200);

      clients.pop()!.destroy();
      await waitFor(
        () => t.rt.stats().streams === MAX_STREAMS - 1,
        'the closed stream to be released',
      );
      const again = await open();
      expect(again.status).toBe(200);
      await again.untilItems(1);
      for (const c of [...clients, again]) c.destroy();
      await waitFor(() => t.rt.stats().streams === 0, 'all streams released');
    });

    it('counts SSE streams only: stream() subscriptions of the app do not use them up', async () => {
      const name = t.rt.createQueueName();
      await t.rt.get(name).push({ n: 1 });
      const subscriptions = Array.from({ length: MAX_STREAMS }, () =>
        t.rt.stream(name).subscribe(),
      );
      try {
        await waitFor(() => t.rt.stats().streams === MAX_STREAMS, 'the subscriptions to open');
        const client = await open();
        expect(client.status).toBe(200);
        expect(t.rt.stats()).toMatchObject({ streams: MAX_STREAMS + 1, sseStreams: 1 });
        client.destroy();
        await waitFor(() => t.rt.stats().sseStreams === 0, 'the SSE stream to be released');
      } finally {
        for (const subscription of subscriptions) subscription.unsubscribe();
      }
      await waitFor(() => t.rt.stats().streams === 0, 'all streams released');
    });

    it(`${MAX_STREAMS * 2} streams opened at once: exactly ${MAX_STREAMS} are accepted`, async () => {
      const clients = await Promise.all(Array.from({ length: MAX_STREAMS * 2 }, open));
      const statuses = clients.map((c) => c.status).sort();
      for (const c of clients) c.destroy();
      expect(statuses).toEqual([...Array(MAX_STREAMS).fill(200), ...Array(MAX_STREAMS).fill(503)]);
      await waitFor(() => t.rt.stats().streams === 0, 'all streams released');
    });
  });
});
