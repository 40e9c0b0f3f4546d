import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { goneQueue } from '../helpers/gone-queue.js';
import { EventSourceClient, RawSseClient } from '../helpers/sse-client.js';
import type { SseBlock } from '../helpers/sse-parse.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

/** What test/fixtures/views/pluto_rt/list_item.hbs renders (its file ends with a newline). */
function listItem(n: number, escapedText: string): string {
  return `<li class="item" data-n="${n}">${escapedText}</li>`;
}

/** keepaliveMs of the suite's apps. */
const KEEPALIVE_MS = 200;

describe('SSE transport (e2e)', () => {
  let t: TestApp;
  /**
   * An app whose completed queues expire in a second and whose streams wait a second for a
   * queue to start (checked every 200 ms).
   */
  let short: TestApp;
  const rawClients: RawSseClient[] = [];
  const sources: EventSourceClient[] = [];
  /** Sockets of SSE requests, by request URL, so that a test can cut one server-side. */
  const sseSockets: Array<{ url: string; socket: Socket }> = [];

  beforeAll(async () => {
    t = await startTestApp({ options: { keepaliveMs: KEEPALIVE_MS } });
    short = await startTestApp({
      options: {
        keepaliveMs: KEEPALIVE_MS,
        completedTtlSeconds: 1,
        startTimeoutSeconds: 1,
        sweepIntervalMs: 200,
      },
    });
    t.app.getHttpServer().on('request', (req: IncomingMessage) => {
      if (req.url?.includes('/sse/')) sseSockets.push({ url: req.url, socket: req.socket });
    });
  });

  afterEach(async () => {
    for (const client of rawClients.splice(0)) client.destroy();
    for (const source of sources.splice(0)) source.close();
    // Every test leaves nothing open behind it.
    await waitFor(
      () => t.rt.stats().streams === 0 && short.rt.stats().streams === 0,
      'all streams to be released',
    );
  });

  afterAll(async () => {
    await t.close();
    await short.close();
  });

  async function open(
    path: string,
    headers?: Record<string, string>,
    app: TestApp = t,
  ): Promise<RawSseClient> {
    const client = await RawSseClient.open(`${app.url}${path}`, { headers });
    rawClients.push(client);
    return client;
  }

  function sseUrl(
    name: string,
    mode: 'append' | 'reverse' | 'replace' = 'append',
    app: TestApp = t,
  ): string {
    return app.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item', mode }).sse;
  }

  const numsub = (name: string): Promise<number> => t.subscribers(name);

  async function pushMany(name: string, from: number, to: number): Promise<string[]> {
    const q = t.rt.get(name);
    const ids: string[] = [];
    for (let n = from; n <= to; n++) ids.push(await q.push({ n, text: `item ${n}` }));
    return ids;
  }

  function idsOf(blocks: SseBlock[]): Array<string | undefined> {
    return blocks.map((block) => block.id);
  }

  describe('basics', () => {
    it('answers with event-stream headers that keep proxies from buffering', async () => {
      const name = t.rt.createQueueName();
      await pushMany(name, 1, 1);
      const client = await open(sseUrl(name));
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(client.headers['cache-control']).toContain('no-cache');
      expect(client.headers['x-accel-buffering']).toBe('no');
    });

    it('sends the history, then live items, each as id + escaped HTML data without an event line', async () => {
      const name = t.rt.createQueueName();
      const q = t.rt.get(name);
      const ids = [
        await q.push({ n: 1, text: 'one' }),
        await q.push({ n: 2, text: '<b>two</b> & "q"' }),
      ];
      const client = await open(sseUrl(name));
      await client.untilListItems(2);
      ids.push(await q.push({ n: 3, text: 'three' }));
      await client.untilListItems(3);

      // The history is one event (items ready at once go together), whose id is its last
      // item's; a live item is one of its own.
      expect(idsOf(client.items)).toEqual([ids[1], ids[2]]);
      expect(client.items.map((block) => block.data)).toEqual([
        listItem(1, 'one') + listItem(2, '&lt;b&gt;two&lt;/b&gt; &amp; &quot;q&quot;'),
        listItem(3, 'three'),
      ]);
      for (const block of client.items) {
        expect(block.lines.some((line) => line.startsWith('event:'))).toBe(false);
        expect(block.lines[0]).toBe(`id: ${block.id}`);
      }
    });

    it('sends event: close with data after complete(), then ends the response', async () => {
      const name = t.rt.createQueueName();
      const q = t.rt.get(name);
      await q.push({ n: 1, text: 'one' });
      const client = await open(sseUrl(name));
      await client.untilItems(1);
      await q.complete();
      await client.untilEnd();

      const last = client.events.at(-1)!;
      expect(last.event).toBe('close');
      expect(last.data).toBe('complete');
      expect(client.items).toHaveLength(1);
    });

    it('sends a keepalive comment on an idle stream', async () => {
      const name = t.rt.createQueueName();
      await pushMany(name, 1, 1);
      const client = await open(sseUrl(name));
      await client.untilItems(1);
      const afterItem = client.blocks.length;
      const keepalive = await client.until(
        () => client.blocks.slice(afterItem).find((block) => block.comments.includes('keepalive')),
        'a keepalive comment after the last item',
      );
      expect(keepalive.lines).toEqual([': keepalive']);
      expect(client.ended).toBe(false);
    });

    it(`sends keepalive comments every keepaliveMs (${KEEPALIVE_MS} ms) on an idle stream`, async () => {
      const name = t.rt.createQueueName();
      await pushMany(name, 1, 1);
      const client = await open(sseUrl(name));
      await client.untilItems(1);
      const keepalives = () => client.comments.filter((c) => c === 'keepalive').length;
      await client.until(() => keepalives() >= 1, 'the first keepalive');
      const first = Date.now();
      const more = 5;
      await client.until(() => keepalives() >= 1 + more, `${more} more keepalives`);
      const elapsed = Date.now() - first;
      process.stdout.write(
        `[sse] ${more} keepalive intervals took ${elapsed} ms (keepaliveMs ${KEEPALIVE_MS})\n`,
      );
      // About the interval: not faster (a chunk may carry two late ones), and nowhere near
      // the 10 s default; the tolerance is for a loaded machine, not a timing target.
      expect(elapsed).toBeGreaterThanOrEqual(more * KEEPALIVE_MS * 0.75);
      expect(elapsed).toBeLessThanOrEqual(more * KEEPALIVE_MS * 3);
      expect(client.items).toHaveLength(1);
    });
  });

  describe('resume', () => {
    it('resumes after the Last-Event-ID header: exactly the entries after it', async () => {
      const name = t.rt.createQueueName();
      const ids = await pushMany(name, 1, 5);
      const client = await open(sseUrl(name), { 'Last-Event-ID': ids[1]! });
      await client.untilListItems(3);
      ids.push(...(await pushMany(name, 6, 6)));
      await t.rt.get(name).complete();
      await client.untilEnd();

      expect(idsOf(client.items)).toEqual([ids[4], ids[5]]);
      expect(client.listItems.map((item) => item.html)).toEqual(
        [3, 4, 5, 6].map((n) => listItem(n, `item ${n}`)),
      );
    });

    it('opens with the retry delay and the cursor as id, so the browser reconnects soon and where it was', async () => {
      const name = t.rt.createQueueName();
      const ids = await pushMany(name, 1, 3);
      const client = await open(sseUrl(name), { 'Last-Event-ID': ids[0]! });
      await client.untilListItems(2);
      const opening = client.blocks[0]!;
      expect(opening.id).toBe(ids[0]);
      expect(opening.lines).toContain('retry: 1000');
      expect(opening.data).toBeUndefined();
      client.destroy();
    });

    it('resumes after the after= query parameter: exactly the entries after it', async () => {
      const name = t.rt.createQueueName();
      const ids = await pushMany(name, 1, 5);
      const client = await open(`${sseUrl(name)}&after=${encodeURIComponent(ids[3]!)}`);
      await client.untilItems(1);
      ids.push(...(await pushMany(name, 6, 7)));
      await t.rt.get(name).complete();
      await client.untilEnd();

      expect(client.listItems.map((item) => item.n)).toEqual([5, 6, 7]);
      expect(client.items.at(-1)!.id).toBe(ids[6]);
    });

    it('closes at once a stream resumed after the end marker (a client that reconnects after close)', async () => {
      const name = t.rt.createQueueName();
      await pushMany(name, 1, 2);
      await t.rt.get(name).complete();
      const first = await open(sseUrl(name));
      await first.untilEnd();
      const endId = first.events.at(-1)!.id;
      expect(first.events.at(-1)!.event).toBe('close');
      expect(endId).toMatch(/^\d+-\d+$/);

      const again = await open(sseUrl(name), { 'Last-Event-ID': endId! });
      await again.untilEnd(3_000);
      expect(again.items).toHaveLength(0);
      expect(again.events.at(-1)).toMatchObject({ event: 'close', data: 'complete' });
    });

    it('lets an EventSource cut off mid-stream reconnect with Last-Event-ID and get each message exactly once, in order', async () => {
      const name = t.rt.createQueueName();
      const q = t.rt.get(name);
      const pushed = [await q.push({ n: 0 })];
      const urls = t.rt.rtUrls(name);
      const source = new EventSourceClient(`${t.url}${urls.sse}&format=json`);
      sources.push(source);
      await source.until(() => source.messages.length >= 1, 'the first message');

      // The producer runs on while the connection is cut, while it is down, and after it is back.
      const producer = (async () => {
        for (let n = 1; n <= 40; n++) {
          pushed.push(await q.push({ n }));
          await new Promise((resolve) => setTimeout(resolve, 10)); // pacing of a real job, not a wait
        }
        await source.until(
          () => source.requests.length >= 2 && source.messages.length >= 41,
          'the resumed stream',
        );
        for (let n = 41; n <= 60; n++) pushed.push(await q.push({ n }));
        await q.complete();
      })();

      await source.until(() => source.messages.length >= 15, '15 messages');
      const cut = sseSockets.filter((entry) => entry.url.includes(name));
      expect(cut).toHaveLength(1);
      cut[0]!.socket.destroy();

      await producer;
      await source.until(() => source.closeEvents.length === 1, 'event: close', 20_000);

      expect(source.errors).toBe(1);
      expect(source.requests).toHaveLength(2);
      expect(source.requests[0]).toBeNull();
      expect(source.requests[1]).toBe(source.lastIdAtErrors[0]);
      expect(pushed).toContain(source.requests[1]);
      expect(source.messages.map((m) => JSON.parse(m.data) as { n: number })).toEqual(
        Array.from({ length: 61 }, (_, n) => ({ n })),
      );
      expect(source.messages.map((m) => m.lastEventId)).toEqual(pushed);
      expect(source.closeEvents[0]!.data).toBe('complete');
    }, 30_000);
  });

  describe('modes and formats', () => {
    it('replace sends only the latest item of the history batch, then each live one', async () => {
      const name = t.rt.createQueueName();
      const ids = await pushMany(name, 1, 5);
      const client = await open(sseUrl(name, 'replace'));
      await client.untilItems(1);
      ids.push(...(await pushMany(name, 6, 6)));
      await client.untilItems(2);
      ids.push(...(await pushMany(name, 7, 7)));
      await t.rt.get(name).complete();
      await client.untilEnd();

      expect(idsOf(client.items)).toEqual([ids[4], ids[5], ids[6]]);
      expect(client.items.map((block) => block.data)).toEqual(
        [5, 6, 7].map((n) => listItem(n, `item ${n}`)),
      );
      expect(client.events.at(-1)!.event).toBe('close');
    });

    it.each([
      ['append', [1, 2, 3, 4, 5]],
      ['reverse', [3, 2, 1, 4, 5]],
    ] as const)(
      "%s sends the items of an event in the order the page's swap shows them (%j)",
      async (mode, order) => {
        const name = t.rt.createQueueName();
        const ids = await pushMany(name, 1, 3);
        const client = await open(sseUrl(name, mode));
        await client.untilListItems(3);
        // Live items one at a time (each shown before the next is pushed), so that each
        // comes in an event of its own: merged, they would be one.
        ids.push(...(await pushMany(name, 4, 4)));
        await client.untilListItems(4);
        ids.push(...(await pushMany(name, 5, 5)));
        await t.rt.get(name).complete();
        await client.untilEnd();

        // The history in one event, newest first in reverse mode (swapped in at the top as
        // one); each live item in one of its own.
        expect(idsOf(client.items)).toEqual([ids[2], ids[3], ids[4]]);
        expect(client.listItems.map((item) => item.n)).toEqual(order);
      },
    );

    it('format=json sends the raw item JSON as data', async () => {
      const name = t.rt.createQueueName();
      const q = t.rt.get(name);
      const items = [{ n: 1, text: '<b>raw</b>' }, ['a', 2, null], 'plain', 42];
      const ids: string[] = [];
      for (const item of items.slice(0, 2)) ids.push(await q.push(item));
      const client = await open(`${t.rt.rtUrls(name).sse}&format=json`);
      await client.untilItems(2);
      for (const item of items.slice(2)) ids.push(await q.push(item));
      await q.complete();
      await client.untilEnd();

      expect(idsOf(client.items)).toEqual(ids);
      expect(client.items.map((block) => block.data)).toEqual(
        items.map((item) => JSON.stringify(item)),
      );
      expect(client.items.map((block) => JSON.parse(block.data!) as unknown)).toEqual(items);
    });
  });

  describe('multiple consumers', () => {
    it('gives 3 clients on one queue every message in order, and a late joiner the history then live ones', async () => {
      const name = t.rt.createQueueName();
      const ids = await pushMany(name, 1, 1);
      const url = sseUrl(name);
      const clients = await Promise.all([open(url), open(url), open(url)]);
      await Promise.all(clients.map((client) => client.untilListItems(1)));
      expect(await numsub(name)).toBe(1);

      ids.push(...(await pushMany(name, 2, 20)));
      await Promise.all(clients.map((client) => client.untilListItems(20)));
      const late = await open(url);
      await late.untilListItems(20);
      ids.push(...(await pushMany(name, 21, 21)));
      await t.rt.get(name).complete();
      await Promise.all([...clients, late].map((client) => client.untilEnd()));

      for (const client of [...clients, late]) {
        expect(client.listItems.map((item) => item.html)).toEqual(
          ids.map((_, i) => listItem(i + 1, `item ${i + 1}`)),
        );
        // Each event's id is the id of the last item it carries.
        const lastOfEach = client.items.map((block) => block.id);
        expect(lastOfEach.at(-1)).toBe(ids.at(-1));
        expect(lastOfEach.every((id) => ids.includes(id!))).toBe(true);
        expect(client.events.at(-1)!.event).toBe('close');
      }
    });
  });

  describe('lifecycle', () => {
    it('answers 404 for a gone queue (completed, expired) on a correctly signed URL, whatever the Accept header', async () => {
      const name = await goneQueue(short);
      // No route decides from Accept: htmx 4 sends text/event-stream with every request.
      for (const accept of ['text/event-stream', '*/*', 'text/html, text/event-stream']) {
        const client = await open(sseUrl(name, 'append', short), { Accept: accept }, short);
        await client.untilEnd();
        expect(client.status).toBe(404);
        expect(client.headers['content-type']).toMatch(/^text\/plain/);
        expect(client.raw).toMatch(/No such queue/);
      }
    });

    it('tells a page element (el) of a gone queue why, in its place, then closes: no status it would retry', async () => {
      const name = await goneQueue(short);
      const client = await open(`${sseUrl(name, 'append', short)}&el=live`, {}, short);
      await client.untilEnd();
      expect(client.status).toBe(200);
      expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(client.items).toHaveLength(1);
      const [notice, close] = client.events;
      // The notice resets the id: it is no position in the stream, and nothing numbers it.
      expect(notice!.id).toBe('');
      expect(notice!.event).toBeUndefined();
      expect(notice!.data).toMatch(
        /^<hx-partial hx-target="#live" hx-swap="innerHTML"><p class="pluto-rt-notice" role="status" data-reason="gone">/,
      );
      expect(close).toMatchObject({ event: 'close', data: 'gone' });
      expect(client.events).toHaveLength(2);
    });

    it('releases streams, queues and the reader subscription when the last client leaves', async () => {
      const [a, b] = [t.rt.createQueueName(), t.rt.createQueueName()];
      await pushMany(a, 1, 1);
      await pushMany(b, 1, 1);
      const clients = await Promise.all([open(sseUrl(a)), open(sseUrl(a)), open(sseUrl(b))]);
      await Promise.all(clients.map((client) => client.untilItems(1)));
      expect(t.rt.stats()).toMatchObject({ streams: 3, queues: 2 });
      expect(await numsub(a)).toBe(1);
      expect(await numsub(b)).toBe(1);

      clients[0]!.destroy();
      await waitFor(() => t.rt.stats().streams === 2, 'one stream to be released');
      expect(t.rt.stats().queues).toBe(2);
      expect(await numsub(a)).toBe(1);

      clients[1]!.destroy();
      clients[2]!.destroy();
      await waitFor(() => {
        const stats = t.rt.stats();
        return (
          stats.streams === 0 &&
          stats.queues === 0 &&
          stats.catchingUp === 0 &&
          stats.waitingForStart === 0
        );
      }, 'stats back to zero');
      await waitFor(
        async () => (await numsub(a)) === 0 && (await numsub(b)) === 0,
        'the reader to unsubscribe',
      );
    });
  });

  describe('a queue not started yet (no push)', () => {
    /** Waits until `app` has `count` streams waiting for their queue's first push. */
    function untilWaiting(count: number, app: TestApp = t): Promise<unknown> {
      return waitFor(
        () => app.rt.stats().waitingForStart === count,
        `${count} stream(s) waiting for their queue to start`,
      );
    }

    it('keeps the stream open, then sends every item after the first push in order, and the close', async () => {
      const name = t.rt.createQueueName();
      // An EventSource and a plain client alike are kept waiting (no 404).
      const clients = [await open(sseUrl(name)), await open(sseUrl(name), { Accept: '*/*' })];
      await untilWaiting(2);
      for (const client of clients) {
        expect(client.status).toBe(200);
        expect(client.headers['content-type']).toMatch(/^text\/event-stream/);
        expect(client.events).toEqual([]);
        expect(client.ended).toBe(false);
      }

      const ids = await pushMany(name, 1, 3);
      await t.rt.get(name).complete();
      for (const client of clients) {
        await client.untilEnd();
        // Pushed back to back, the items may come merged: once each, in order, and each
        // event's id is its last item's.
        expect(client.listItems.map((item) => item.html)).toEqual(
          [1, 2, 3].map((n) => listItem(n, `item ${n}`)),
        );
        for (const item of client.listItems.filter(
          (it, i, all) => all[i + 1]?.eventId !== it.eventId,
        ))
          expect(item.eventId).toBe(ids[item.n - 1]);
        expect(client.events.at(-1)).toMatchObject({ event: 'close', data: 'complete' });
      }
    });

    it('gives an EventSource connected before the first push every message once, then closes it', async () => {
      const name = t.rt.createQueueName();
      const source = new EventSourceClient(`${t.url}${sseUrl(name)}`);
      sources.push(source);
      await untilWaiting(1);
      const ids = await pushMany(name, 1, 3);
      await t.rt.get(name).complete();
      await source.until(() => source.closeEvents.length === 1, 'the close event');

      // Items pushed back to back may come merged: in order, once, and each event's id is
      // its last item's.
      expect(source.messages.map((m) => m.data).join('')).toBe(
        [1, 2, 3].map((n) => listItem(n, `item ${n}`)).join(''),
      );
      for (const message of source.messages) {
        const last = Number(/data-n="(\d+)">[^<]*<\/li>$/.exec(message.data)![1]);
        expect(message.lastEventId).toBe(ids[last - 1]);
      }
      expect(source.closeEvents[0]!.data).toBe('complete');
      expect(source.requests).toEqual([null]);
    });

    it('sends keepalive comments while waiting', async () => {
      const client = await open(sseUrl(t.rt.createQueueName()));
      await untilWaiting(1);
      const keepalive = await client.until(
        () => client.blocks.find((block) => block.comments.includes('keepalive')),
        'a keepalive comment',
      );
      expect(keepalive.lines).toEqual([': keepalive']);
      expect(client.events).toEqual([]);
      expect(client.ended).toBe(false);
    });

    it('closes a waiting stream with data: gone after startTimeoutSeconds', async () => {
      const name = short.rt.createQueueName();
      const openedAt = Date.now();
      const client = await open(sseUrl(name, 'append', short), {}, short);
      await untilWaiting(1, short);
      expect(client.status).toBe(200);

      const close = await client.until(
        () => client.events.find((block) => block.event === 'close'),
        'the close event',
      );
      // The 1 s timeout counts from the stream's first read, which follows the request.
      expect(Date.now() - openedAt).toBeGreaterThanOrEqual(1_000);
      expect(close.data).toBe('gone');
      expect(client.items).toHaveLength(0);
      await client.untilEnd();
      expect(short.rt.stats().waitingForStart).toBe(0);
    });

    it.each([
      ['the Last-Event-ID header', 'header'],
      ['the after= query parameter', 'query'],
    ])(
      'answers as gone at once a stream resuming with %s on a queue that never started',
      async (_, via) => {
        const name = t.rt.createQueueName();
        const id = '1700000000000-0';
        const url = via === 'query' ? `${sseUrl(name)}&after=${id}` : sseUrl(name);
        const headers = via === 'header' ? { 'Last-Event-ID': id } : undefined;
        // t waits an hour for a start: only "gone at once" ends these streams in time.
        const plain = await open(url, headers);
        await plain.untilEnd(3_000);
        expect(plain.status).toBe(404);
        expect(plain.headers['content-type']).toMatch(/^text\/plain/);

        const page = await open(`${url}&el=live`, headers);
        await page.untilEnd(3_000);
        expect(page.status).toBe(200);
        expect(
          page.events.map((block) => [
            block.event,
            block.data?.match(/data-reason="(\w+)"/)?.[1] ?? block.data,
          ]),
        ).toEqual([
          [undefined, 'gone'],
          ['close', 'gone'],
        ]);
      },
    );

    it('tells a page element whose queue goes while it waits why, before the close', async () => {
      const name = short.rt.createQueueName();
      const client = await open(`${sseUrl(name, 'append', short)}&el=live`, {}, short);
      await client.untilEnd(5_000);
      const reasons = client.events.map((block) => [block.event, block.id, block.data]);
      expect(reasons).toEqual([
        [undefined, '', expect.stringContaining('data-reason="gone"')],
        ['close', '0-0', 'gone'],
      ]);
    });

    it('counts waiting streams in stats().waitingForStart, back to 0 as they start or leave', async () => {
      const [a, b] = [t.rt.createQueueName(), t.rt.createQueueName()];
      const onA = [await open(sseUrl(a)), await open(sseUrl(a))];
      const onB = await open(sseUrl(b));
      await untilWaiting(3);
      expect(t.rt.stats()).toMatchObject({
        streams: 3,
        queues: 2,
        waitingForStart: 3,
        sseStreams: 3,
      });

      // A's streams start with its first push; B's still waits.
      await pushMany(a, 1, 1);
      await Promise.all(onA.map((client) => client.untilItems(1)));
      expect(t.rt.stats()).toMatchObject({ streams: 3, waitingForStart: 1 });

      onB.destroy();
      await waitFor(() => t.rt.stats().streams === 2, "B's stream to be released");
      expect(t.rt.stats().waitingForStart).toBe(0);

      await t.rt.get(a).complete();
      await Promise.all(onA.map((client) => client.untilEnd()));
      await waitFor(() => t.rt.stats().streams === 0, 'all streams to end');
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
