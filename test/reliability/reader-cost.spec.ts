import { itemNs } from '../helpers/merged-events.js';
import net from 'node:net';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { RtQueue } from '../../lib/index.js';
import { parseSseBlock, type SseBlock } from '../helpers/sse-parse.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { StoppableRedis } from '../helpers/stoppable-redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

/** ~10 MB of history: 10,000 items of ~1 KB. */
const ITEMS = 10_000;
const TEXT = 'x'.repeat(1_000);
const TEMPLATE = 'pluto_rt/list_item';

/** Fills `queue` with ITEMS items `{ n, text }`, 500 calls at a time. */
async function fill(queue: RtQueue, from = 0, count = ITEMS): Promise<void> {
  for (let n = from; n < from + count; n += 500) {
    const upTo = Math.min(from + count, n + 500);
    await Promise.all(
      Array.from({ length: upTo - n }, (_, i) => queue.push({ n: n + i, text: TEXT })),
    );
  }
}

/** Sum over every client of Redis's output buffer memory (CLIENT LIST `omem`), in bytes. */
async function outputBuffers(redis: Redis): Promise<number> {
  const list = (await redis.client('LIST')) as string;
  return [...list.matchAll(/ omem=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Calls of every command so far but INFO (INFO commandstats). */
async function commandCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return [...stats.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)]
    .filter(([, name]) => name !== 'info')
    .reduce((sum, m) => sum + Number(m[2]), 0);
}

/** A raw GET of an SSE URL whose response is never read (a client that stalled, or a tool). */
function unreadStream(url: URL): net.Socket {
  const socket = net.connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  socket.write(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  socket.pause();
  return socket;
}

/**
 * A client that reads steadily at `bytesPerSecond` (a slow link): it takes a chunk, then
 * waits as long as the chunk takes at that rate. Records the events and whether the server
 * ended the response.
 */
function slowReader(url: URL, bytesPerSecond: number) {
  const events: SseBlock[] = [];
  let buffer = '';
  let ended = false;
  const socket = net.connect(Number(url.port), url.hostname);
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  socket.write(
    `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`,
  );
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const text = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const block = parseSseBlock(text.replace(/^[\s\S]*\r\n\r\n/, ''));
      if (block.data !== undefined || block.event !== undefined) events.push(block);
    }
    socket.pause();
    setTimeout(() => socket.resume(), (Buffer.byteLength(chunk) / bytesPerSecond) * 1000);
  });
  socket.on('close', () => (ended = true));
  return { events, socket, ended: () => ended };
}

/**
 * The cost one reader can put on Redis and on the process is bounded: a catch-up is read in
 * pages, shared between readers, at the pace of each client's socket, and a process has a
 * bounded number of reads out at once. Before, each SSE open read the whole history in one
 * command on the connection that pushes use: 200 openers of a 10 MB queue that never read
 * stalled Redis (a 2 GB output buffer) and made other jobs' pushes fail.
 */
describe("one reader's cost is bounded", () => {
  let redis: StoppableRedis;
  let inspector: Redis;
  let t: TestApp;
  const warnings: string[] = [];

  beforeAll(async () => {
    redis = await StoppableRedis.start();
    inspector = new Redis(redis.url);
    t = await startTestApp({ redis: redis.target, options: { maxMessages: 20_000 } });
    t.app.useLogger({
      log: () => undefined,
      error: (m: unknown) => warnings.push(String(m)),
      warn: (m: unknown) => warnings.push(String(m)),
    });
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await inspector?.quit();
    await redis?.destroy();
  });

  it('200 connections opening a 10 MB queue and never reading: Redis stays small, other pushes go on', async () => {
    const name = t.rt.createQueueName();
    await fill(t.rt.get(name));
    const url = new URL(t.url + t.rt.rtUrls(name, { itemTemplate: TEMPLATE }).sse);
    const other = t.rt.get(t.rt.createQueueName());
    await other.push({ n: 0 });

    let maxBuffers = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxBuffers = Math.max(maxBuffers, await outputBuffers(inspector));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const sockets = Array.from({ length: 200 }, () => unreadStream(url));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = performance.now();
      await other.push({ n: 1 });
      const pushMs = performance.now() - started;
      // Every opener is served (or waits its turn): let the catch-ups run their course.
      await waitFor(
        () => t.rt.stats().catchingUp === 200,
        'every opener to be catching up',
        20_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      sampling = false;
      await sampler;
      process.stdout.write(
        `[reader-cost] flood: unrelated push ${pushMs.toFixed(1)} ms, max Redis output buffers ${(maxBuffers / 2 ** 20).toFixed(2)} MB\n`,
      );
      expect(pushMs).toBeLessThan(1_000);
      expect(maxBuffers).toBeLessThan(64 * 2 ** 20);
      // None was dropped as "not reading": each got what its socket took, and waits.
      expect(warnings.filter((w) => /not reading/.test(w))).toEqual([]);
    } finally {
      sampling = false;
      for (const socket of sockets) socket.destroy();
    }
    await waitFor(() => t.rt.stats().streams === 0, 'the streams to be released');
  }, 60_000);

  it('HEAD on the routes reads nothing', async () => {
    const name = t.rt.createQueueName();
    await fill(t.rt.get(name), 0, 2_000);
    const html = t.rt.rtUrls(name, { itemTemplate: TEMPLATE });
    const group = t.rt.rtGroupUrls([{ queue: name, itemTemplate: TEMPLATE, target: '#a' }]);
    const before = await commandCalls(inspector);
    for (const url of [html.sse, html.poll, group.sse, group.poll, `${html.sse}&el=live`]) {
      const res = await request(t.url).head(url);
      expect([url, res.status]).toEqual([url, 200]);
    }
    expect(await commandCalls(inspector)).toBe(before);
    expect(t.rt.stats()).toMatchObject({ streams: 0, sseStreams: 0 });
  });

  it('a client that reads a 10 MB replay steadily at 2.5 MB/s gets it all on one connection', async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    await fill(queue);
    const url = new URL(t.url + t.rt.rtUrls(name, { itemTemplate: TEMPLATE }).sse);
    const reader = slowReader(url, 2.5 * 2 ** 20);
    // The job goes on meanwhile: its items follow the history, live.
    const shown = () => reader.events.flatMap((e) => itemNs(e.data));
    await waitFor(() => shown().length >= 1_000, 'the replay to be under way', 20_000);
    await fill(queue, ITEMS, 200);
    await queue.complete();
    await waitFor(
      () => reader.events.some((e) => e.event === 'close') || reader.ended(),
      'the end of the stream',
      30_000,
    );
    const numbers = shown();
    expect(reader.events.at(-1)).toMatchObject({ event: 'close', data: 'complete' });
    expect(numbers).toEqual(Array.from({ length: ITEMS + 200 }, (_, n) => n));
    expect(warnings.filter((w) => /not reading/.test(w))).toEqual([]);
    reader.socket.destroy();
  }, 60_000);

  describe('a cursor past the queue', () => {
    it('from the future (beyond any clock) is refused: 400, for a query, Last-Event-ID and a group', async () => {
      const name = t.rt.createQueueName();
      await t.rt.get(name).push({ n: 0, text: 'a' });
      const { sse, poll } = t.rt.rtUrls(name, { itemTemplate: TEMPLATE });
      const group = t.rt.rtGroupUrls([{ queue: name }]);
      const far = '9999999999999999-0';
      const answers = [
        await request(t.url).get(`${sse}&after=${far}`),
        await request(t.url).get(sse).set('Last-Event-ID', far),
        await request(t.url).get(`${poll}&after=${far}`),
        await request(t.url).get(`${group.sse}&after=${far}`),
      ];
      expect(answers.map((res) => res.status)).toEqual([400, 400, 400, 400]);
      expect(answers[0]!.text).toMatch(/^Invalid cursor: .*not from the future$/);
      await expect(
        new Promise((resolve, reject) =>
          t.rt
            .stream(name, { after: far })
            .subscribe({ error: reject, complete: () => resolve(0) }),
        ),
      ).rejects.toThrow(/not from the future/);
    });

    it('ahead of its last entry still hears the end when the queue completes', async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await queue.push({ n: 0, text: 'a' });
      // Ahead of every entry the queue will get in this test, within any clock's reach.
      const ahead = `${Date.now() + 60_000}-0`;
      const { sse } = t.rt.rtUrls(name, { itemTemplate: TEMPLATE });
      const client = await RawSseClient.open(`${t.url}${sse}&after=${ahead}`);
      const grouped = await RawSseClient.open(
        `${t.url}${t.rt.rtGroupUrls([{ queue: name }]).sse}&after=${ahead}`,
      );
      await waitFor(() => t.rt.stats().streams === 2, 'both streams open');
      await queue.push({ n: 1, text: 'b' });
      await queue.complete();
      await client.until(() => client.events.some((e) => e.event === 'close'), 'event: close');
      await grouped.until(() => grouped.events.some((e) => e.event === 'close'), 'event: close');
      expect(client.items).toEqual([]);
      expect(grouped.events.map((e) => e.event)).toEqual(['end', 'close']);
      client.destroy();
      grouped.destroy();
    });
  });
});
