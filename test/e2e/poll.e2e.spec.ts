import request from 'supertest';
import type { RtMode } from '../../lib/index.js';
import { goneQueue } from '../helpers/gone-queue.js';
import { elements, param, type Attrs } from '../helpers/markup.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { waitFor } from '../helpers/wait-for.js';

/** The attributes of the first `<div>` in `html` whose class is `pluto-rt-poller`, entities decoded. */
function pollerAttrs(html: string): Attrs {
  const poller = elements(html, 'div').find((div) => div.class === 'pluto-rt-poller');
  if (!poller) throw new Error(`no poller element in: ${html}`);
  return poller;
}

/** Checks that `html` replaces poller p1 with an inert one: htmx stops polling. */
function expectInertPoller(html: string): void {
  const inert = pollerAttrs(html);
  expect(inert.id).toBe('p1');
  expect(inert['hx-swap-oob']).toBe('true');
  expect(inert['hx-get']).toBeUndefined();
  expect(inert['hx-trigger']).toBeUndefined();
}

/** The `data-n` of each rendered list item, in document order. */
function itemNumbers(html: string): number[] {
  return [...html.matchAll(/<li class="item" data-n="(\d+)">/g)].map((match) => Number(match[1]));
}

/** The JSON answer of a queue not complete yet, holding the items queueWith pushed as `ids`. */
function jsonBatch(ids: string[]) {
  return {
    items: ids.map((id, i) => ({ id, item: { n: i + 1, text: `item ${i + 1}` } })),
    cursor: ids.at(-1),
    complete: false,
  };
}

describe('polling endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** A fresh queue with items n = 1..count, and a poll URL for it with placement p1 -> #out. */
  async function queueWith(count: number, mode: RtMode = 'append') {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    const ids: string[] = [];
    for (let n = 1; n <= count; n++) ids.push(await queue.push({ n, text: `item ${n}` }));
    const urls = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item', mode });
    return { name, queue, ids, urls, poll: `${urls.poll}&el=p1&target=%23out` };
  }

  /** Follows the poller chain from `url` until 204 or 286; returns every item number seen. */
  async function followChain(url: string): Promise<{ numbers: number[]; statuses: number[] }> {
    const numbers: number[] = [];
    const statuses: number[] = [];
    let next: string | undefined = url;
    for (let hops = 0; next && hops < 100; hops++) {
      const res = await request(t.url).get(next);
      statuses.push(res.status);
      if (res.status === 204) break;
      expect([200, 286]).toContain(res.status);
      numbers.push(...itemNumbers(res.text));
      next = pollerAttrs(res.text)['hx-get'];
      if (res.status === 286) break;
    }
    return { numbers, statuses };
  }

  it('answers 204 with no body when nothing is new after the cursor', async () => {
    const { ids, poll } = await queueWith(2);
    const res = await request(t.url).get(`${poll}&after=${ids[1]}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });

  it('answers 200 with the HTML-escaped items and an out-of-band poller carrying the new cursor', async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    await queue.push({ n: 1, text: '<script>alert("x")</script>' });
    const lastId = await queue.push({ n: 2, text: 'Tom & "Jerry"' });
    const urls = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });

    const res = await request(t.url).get(`${urls.poll}&el=p1&target=%23out&every=500ms`);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(res.text).not.toContain('<script>');
    expect(res.text).toContain('Tom &amp; &quot;Jerry&quot;');
    expect(itemNumbers(res.text)).toEqual([1, 2]);
    const poller = pollerAttrs(res.text);
    expect(poller.id).toBe('p1');
    expect(poller['hx-swap-oob']).toBe('true');
    expect(poller['hx-trigger']).toBe('every 500ms');
    expect(poller['hx-target']).toBe('#out');
    expect(poller['hx-swap']).toBe('beforeend');
    const next = poller['hx-get']!;
    expect(next.startsWith(`/pluto-rt/poll/${name}?`)).toBe(true);
    expect(param(next, 'after')).toBe(lastId);
    expect(param(next, 'el')).toBe('p1');
    expect(param(next, 'target')).toBe('#out');
    expect(param(next, 'every')).toBe('500ms');
    // The cursor URL is still a valid signed URL: nothing new yet.
    expect((await request(t.url).get(next)).status).toBe(204);
  });

  it('answers the HTML poll URL of rtUrls as returned: the items, the next cursor in a header, no poller', async () => {
    const { queue, ids, urls } = await queueWith(2);
    const res = await request(t.url).get(urls.poll);
    expect(res.status).toBe(200);
    expect(itemNumbers(res.text)).toEqual([1, 2]);
    expect(res.text).not.toContain('pluto-rt-poller');
    expect(res.headers['pluto-rt-cursor']).toBe(ids[1]);

    const next = `${urls.poll}&after=${res.headers['pluto-rt-cursor']}`;
    expect((await request(t.url).get(next)).status).toBe(204);
    await queue.complete();
    const end = await request(t.url).get(next);
    expect(end.status).toBe(286);
    expect(end.text).toBe('');
  });

  it('refuses a poller placement without the poller element that it places (400)', async () => {
    const { urls } = await queueWith(1);
    for (const extra of ['target=%23out', 'every=1s', 'hx=2']) {
      const res = await request(t.url).get(`${urls.poll}&${extra}`);
      expect([res.status, res.text]).toEqual([
        400,
        'Invalid el: a poller element id, which target, every and hx need',
      ]);
    }
  });

  it('says no-store and gives no ETag on every answer, so a repeated poll is never a 304', async () => {
    const { queue, ids, urls, poll } = await queueWith(1);
    const json = t.rt.rtUrls(queue.name).poll;
    const answers = async () => [
      await request(t.url).get(poll), // 200
      await request(t.url).get(`${poll}&after=${ids[0]}`), // 204
      await request(t.url).get(urls.poll), // 200, no poller
      await request(t.url).get(json), // 200, JSON
    ];
    const before = await answers();
    await queue.complete();
    const after = [...(await answers()), await request(t.url).get(json)];
    expect([...before, ...after].map((res) => res.status)).toEqual([
      200, 204, 200, 200, 286, 286, 286, 200, 200,
    ]);
    for (const res of [...before, ...after]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.etag).toBeUndefined();
    }
    // A client that sends If-None-Match anyway gets the answer again.
    const again = await request(t.url).get(poll).set('If-None-Match', 'W/"anything"');
    expect(again.status).toBe(286);
  });

  it('answers at most 128 KB of items beyond the first, whatever count asks: the cursor goes on from there', async () => {
    const name = t.rt.createQueueName();
    const queue = t.rt.get(name);
    const big = 'x'.repeat(60_000);
    const ids: string[] = [];
    for (let n = 1; n <= 5; n++) ids.push(await queue.push({ n, text: big }));
    const { poll } = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
    const pages: number[][] = [];
    let cursor = '';
    for (let hops = 0; hops < 5; hops++) {
      const res = await request(t.url).get(`${poll}&count=1000&after=${cursor}`);
      if (res.status === 204) break;
      pages.push(itemNumbers(res.text));
      cursor = res.headers['pluto-rt-cursor'] as string;
    }
    // Two 60 KB items fit in 128 KB; a third would not.
    expect(pages).toEqual([[1, 2], [3, 4], [5]]);
    expect(cursor).toBe(ids[4]);
  });

  it('following the cursor chain yields every message exactly once, in order', async () => {
    const { queue, poll } = await queueWith(7);
    const first = await followChain(`${poll}&count=2`);
    expect(first.numbers).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(first.statuses).toEqual([200, 200, 200, 200, 204]);

    // Items pushed later arrive on the same chain, once each.
    const res = await request(t.url).get(`${poll}&count=2`);
    let next = pollerAttrs(res.text)['hx-get']!;
    for (let hops = 0; hops < 3; hops++)
      next = pollerAttrs((await request(t.url).get(next)).text)['hx-get']!;
    expect((await request(t.url).get(next)).status).toBe(204);
    await queue.push({ n: 8, text: 'item 8' });
    await queue.push({ n: 9, text: 'item 9' });
    const rest = await followChain(next);
    expect(rest.numbers).toEqual([8, 9]);
  });

  it('answers 286 with an inert poller once the end marker is reached', async () => {
    const { queue, ids, poll } = await queueWith(2);
    await queue.complete();

    const all = await request(t.url).get(poll);
    expect(all.status).toBe(286);
    expect(itemNumbers(all.text)).toEqual([1, 2]);
    expectInertPoller(all.text);

    // A poller that already has every item gets just the end marker: 286, no items.
    const end = await request(t.url).get(`${poll}&after=${ids[1]}`);
    expect(end.status).toBe(286);
    expect(itemNumbers(end.text)).toEqual([]);
    expectInertPoller(end.text);
  });

  it('a chain that reaches the end marker stops with 286', async () => {
    const { queue, poll } = await queueWith(3);
    await queue.complete();
    const chain = await followChain(`${poll}&count=2`);
    expect(chain.numbers).toEqual([1, 2, 3]);
    expect(chain.statuses).toEqual([200, 286]);
  });

  it('is non-destructive: two independent pollers each get every message', async () => {
    const { queue, poll } = await queueWith(4);
    await queue.complete();
    const [a, b] = await Promise.all([
      followChain(`${poll}&count=3`),
      followChain(`${poll}&count=3`),
    ]);
    expect(a.numbers).toEqual([1, 2, 3, 4]);
    expect(b.numbers).toEqual([1, 2, 3, 4]);
    // And a third, later poller from the start still sees them all.
    expect((await followChain(poll)).numbers).toEqual([1, 2, 3, 4]);
  });

  it('count limits the batch and the cursor points at the last item of it', async () => {
    const { ids, poll } = await queueWith(5);
    const res = await request(t.url).get(`${poll}&count=3`);
    expect(res.status).toBe(200);
    expect(itemNumbers(res.text)).toEqual([1, 2, 3]);
    const next = pollerAttrs(res.text)['hx-get']!;
    expect(param(next, 'after')).toBe(ids[2]);
    expect(param(next, 'count')).toBe('3');
  });

  it('without count, answers 100 items at a time: 150 items come as 100, then 50', async () => {
    const { name, ids, poll, queue } = await queueWith(150);
    const first = await request(t.url).get(poll);
    expect(first.status).toBe(200);
    expect(itemNumbers(first.text)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const next = pollerAttrs(first.text)['hx-get']!;
    expect(param(next, 'after')).toBe(ids[99]);
    expect(param(next, 'count')).toBe('100');

    const second = await request(t.url).get(next);
    expect(second.status).toBe(200);
    expect(itemNumbers(second.text)).toEqual(Array.from({ length: 50 }, (_, i) => i + 101));
    expect(param(pollerAttrs(second.text)['hx-get']!, 'after')).toBe(ids[149]);

    // The JSON flavour has the same default.
    await queue.complete();
    const json = await request(t.url).get(t.rt.rtUrls(name).poll);
    expect(json.body.items).toHaveLength(100);
    expect(json.body.cursor).toBe(ids[99]);
  });

  it('reverse mode returns each batch newest first and swaps afterbegin', async () => {
    const { poll } = await queueWith(5, 'reverse');
    const first = await request(t.url).get(`${poll}&count=3`);
    expect(first.status).toBe(200);
    expect(itemNumbers(first.text)).toEqual([3, 2, 1]);
    const poller = pollerAttrs(first.text);
    expect(poller['hx-swap']).toBe('afterbegin');
    const second = await request(t.url).get(poller['hx-get']!);
    expect(itemNumbers(second.text)).toEqual([5, 4]);
    expect(pollerAttrs(second.text)['hx-swap']).toBe('afterbegin');
  });

  it('replace mode returns only the latest item of the batch and swaps innerHTML', async () => {
    const { queue, ids, poll } = await queueWith(4, 'replace');
    const res = await request(t.url).get(poll);
    expect(res.status).toBe(200);
    expect(itemNumbers(res.text)).toEqual([4]);
    const poller = pollerAttrs(res.text);
    expect(poller['hx-swap']).toBe('innerHTML');
    expect(param(poller['hx-get']!, 'after')).toBe(ids[3]);

    await queue.push({ n: 5, text: 'item 5' });
    await queue.push({ n: 6, text: 'item 6' });
    const next = await request(t.url).get(poller['hx-get']!);
    expect(itemNumbers(next.text)).toEqual([6]);
  });

  describe('JSON flavour', () => {
    /** The JSON URLs of a queue (rtUrls without an item template). */
    const jsonPoll = (name: string, mode?: RtMode) => t.rt.rtUrls(name, { mode }).poll;

    it('a URL signed without a template returns {items:[{id,item}], cursor, complete}', async () => {
      const { name, queue, ids } = await queueWith(3);
      const res = await request(t.url).get(`${jsonPoll(name)}&count=2`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.body).toEqual(jsonBatch(ids.slice(0, 2)));

      await queue.complete();
      const rest = await request(t.url).get(`${jsonPoll(name)}&after=${res.body.cursor}`);
      // JSON clients are not htmx pollers: complete is in the body, the status stays 200.
      expect(rest.status).toBe(200);
      expect(rest.body.items).toEqual([{ id: ids[2], item: { n: 3, text: 'item 3' } }]);
      expect(rest.body.complete).toBe(true);
      expect(typeof rest.body.cursor).toBe('string');
    });

    it('format=json may be spelt out, and then 204 when nothing is new', async () => {
      const { name, ids } = await queueWith(2);
      const res = await request(t.url).get(`${jsonPoll(name)}&format=json`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(jsonBatch(ids));
      const none = await request(t.url).get(`${jsonPoll(name)}&after=${ids[1]}`);
      expect(none.status).toBe(204);
    });

    it('the Accept header decides nothing: a template URL answers HTML to Accept: application/json', async () => {
      const { urls } = await queueWith(1);
      const res = await request(t.url)
        .get(`${urls.poll}&el=p1&target=%23out`)
        .set('Accept', 'application/json');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(itemNumbers(res.text)).toEqual([1]);
    });

    it('JSON in reverse mode orders the batch newest first', async () => {
      const { name, ids } = await queueWith(3, 'reverse');
      const res = await request(t.url).get(jsonPoll(name, 'reverse'));
      expect(res.body.items.map((entry: { id: string }) => entry.id)).toEqual([
        ids[2],
        ids[1],
        ids[0],
      ]);
      expect(res.body.cursor).toBe(ids[2]);
    });
  });

  describe('a queue not started yet (no push)', () => {
    it('answers 204 with no body (HTML, htmx and JSON), then the items once pushed', async () => {
      const name = t.rt.createQueueName();
      const urls = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
      const poll = `${urls.poll}&el=p1&target=%23out`;
      for (const res of [
        await request(t.url).get(poll),
        await request(t.url).get(poll).set('HX-Request', 'true'),
        await request(t.url).get(t.rt.rtUrls(name).poll),
      ]) {
        expect(res.status).toBe(204);
        expect(res.text).toBe('');
      }

      const queue = t.rt.get(name);
      const ids = [
        await queue.push({ n: 1, text: 'item 1' }),
        await queue.push({ n: 2, text: 'item 2' }),
      ];
      const res = await request(t.url).get(poll).set('HX-Request', 'true');
      expect(res.status).toBe(200);
      expect(itemNumbers(res.text)).toEqual([1, 2]);
      const next = pollerAttrs(res.text)['hx-get']!;
      expect(param(next, 'after')).toBe(ids[1]);
      const json = await request(t.url).get(t.rt.rtUrls(name).poll);
      expect(json.status).toBe(200);
      expect(json.body).toEqual(jsonBatch(ids));

      await queue.push({ n: 3, text: 'item 3' });
      await queue.complete();
      const rest = await followChain(next);
      expect(rest.numbers).toEqual([3]);
      expect(rest.statuses).toEqual([286]);
    });

    it('treats a cursor on a queue without a stream as expired: 404, or 286 and an inert poller for htmx', async () => {
      const name = t.rt.createQueueName();
      const urls = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
      const poll = `${urls.poll}&el=p1&target=%23out&after=1700000000000-0`;
      const plain = await request(t.url).get(poll);
      expect(plain.status).toBe(404);
      const htmx = await request(t.url).get(poll).set('HX-Request', 'true');
      expect(htmx.status).toBe(286);
      expect(htmx.text).not.toContain('hx-get');
      expect(htmx.text).not.toContain('hx-trigger');
    });
  });

  describe('refusals that retrying cannot cure stop an htmx poller (htmx 2 polls on after a 4xx)', () => {
    /** The notice an inert poller shows, and why. */
    const noticeOf = (html: string) =>
      /<p class="pluto-rt-notice"[^>]*data-reason="(\w+)"[^>]*>([^<]+)</.exec(html);

    it('an expired URL: 286 and an inert poller that says so; a plain client gets 403', async () => {
      const name = t.rt.createQueueName(); // never started: the poller would wait for it
      // 2 s: an expiry is a whole second, so 1 s can pass before the first poll.
      const urls = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item', ttlSeconds: 2 });
      const poll = `${urls.poll}&el=p1&target=%23out`;
      expect((await request(t.url).get(poll).set('HX-Request', 'true')).status).toBe(204);
      await waitFor(() => Date.now() > urls.grant.expires * 1000 + 1, 'the URL to expire', 5000);
      const htmx = await request(t.url).get(poll).set('HX-Request', 'true');
      expect(htmx.status).toBe(286);
      expect(htmx.headers['content-type']).toMatch(/^text\/html/);
      expectInertPoller(htmx.text);
      expect(noticeOf(htmx.text)?.[1]).toBe('expired');
      expect(noticeOf(htmx.text)?.[2]).toMatch(/expired: reload the page/);
      const plain = await request(t.url).get(poll);
      expect(plain.status).toBe(403);
      expect(plain.text).toMatch(/expired/);
    });

    it('a bad signature (e.g. the secret was rotated): 286 and a "refused" notice', async () => {
      const { poll } = await queueWith(1);
      const tampered = poll.replace(
        /sig=([\w-])/,
        (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`,
      );
      const htmx = await request(t.url).get(tampered).set('HX-Request', 'true');
      expect(htmx.status).toBe(286);
      expectInertPoller(htmx.text);
      expect(noticeOf(htmx.text)?.[1]).toBe('refused');
      expect(itemNumbers(htmx.text)).toEqual([]);
    });

    it('a request without a usable placement gets the plain 4xx: there is no poller to stop', async () => {
      const { urls } = await queueWith(1);
      const badExp = urls.poll.replace(/exp=\d+/, 'exp=1');
      const withPlacement = await request(t.url)
        .get(`${badExp}&el=p1&target=%23out`)
        .set('HX-Request', 'true');
      expect(withPlacement.status).toBe(286);
      const noPlacement = await request(t.url).get(badExp).set('HX-Request', 'true');
      expect(noPlacement.status).toBe(403);
      expect(noPlacement.headers['content-type']).toMatch(/^text\/plain/);
    });
  });

  describe('a gone queue (completed, then expired)', () => {
    /** An app whose completed queues expire in a second. */
    let short: TestApp;
    beforeAll(async () => {
      short = await startTestApp({ options: { completedTtlSeconds: 1 } });
    });
    afterAll(() => short.close());

    it('answers a plain poll with a plain-text 404 (HTML and JSON)', async () => {
      const name = await goneQueue(short);
      const urls = short.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' });
      const json = short.rt.rtUrls(name).poll;
      for (const res of [
        await request(short.url).get(`${urls.poll}&el=p1&target=%23out`),
        await request(short.url).get(json),
        // The htmx stop is for pollers: a JSON client is told 404 even with the header.
        await request(short.url).get(json).set('HX-Request', 'true'),
      ]) {
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.text).toMatch(/No such queue/);
      }
    });

    it('answers an htmx poll (HX-Request: true) with 286 and an inert poller, so it stops', async () => {
      const name = await goneQueue(short);
      for (const mode of ['append', 'reverse'] as const) {
        const urls = short.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item', mode });
        const res = await request(short.url)
          .get(`${urls.poll}&el=p1&target=%23out`)
          .set('HX-Request', 'true');
        expect(res.status).toBe(286);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(itemNumbers(res.text)).toEqual([]);
        expectInertPoller(res.text);
        expect(res.text).not.toMatch(/hx-get|hx-trigger/);
      }
    });

    it('is told apart by the tombstone that pushes and complete() keep past the stream', async () => {
      const name = await goneQueue(short);
      const tombstone = short.tombstone(name);
      // completedTtlSeconds 1, then as long as a URL may be used: max(idleTtl, urlTtl) = 1 day.
      expect(await short.redis.ttl(tombstone)).toBeGreaterThan(86_400 - 60);
      expect(await short.redis.ttl(tombstone)).toBeLessThanOrEqual(1 + 86_400);
      const json = short.rt.rtUrls(name).poll;
      expect((await request(short.url).get(json)).status).toBe(404);

      // Once the tombstone expires too, nothing tells the queue from one not started yet.
      await short.redis.del(tombstone);
      expect((await request(short.url).get(json)).status).toBe(204);

      const long = await startTestApp({
        options: { completedTtlSeconds: 120, idleTtlSeconds: 60, urlTtlSeconds: 600 },
      });
      try {
        const other = long.rt.createQueueName();
        await long.rt.get(other).push({ n: 1, text: 'one' });
        // A started queue has its tombstone already: abandoned, it reads as gone too.
        const afterPush = await long.redis.ttl(long.tombstone(other));
        expect(afterPush).toBeGreaterThan(60 + 600 - 30);
        expect(afterPush).toBeLessThanOrEqual(60 + 600);
        await long.rt.get(other).complete();
        const ttl = await long.redis.ttl(long.tombstone(other));
        expect(ttl).toBeGreaterThan(120 + 600 - 30);
        expect(ttl).toBeLessThanOrEqual(120 + 600);
      } finally {
        await long.close();
      }
    });
  });
});
