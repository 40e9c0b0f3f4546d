import request from 'supertest';
import { RtPlacementError, type RtUrlOptions } from '../../lib/index.js';
import { sseSuite } from '../helpers/sse-suite.js';
import type { TestApp } from '../helpers/test-app.js';

/** A list with a bar: progress items go to `#bar`, files to `#files`, the rest to `#rows`. */
const ROUTED: RtUrlOptions = {
  itemTemplate: 'pluto_rt/list_item',
  target: '#rows',
  keep: 20,
  routes: [
    { type: 'progress', itemTemplate: 'pluto_rt/progress', target: '#bar', mode: 'replace' },
    { type: 'file', itemTemplate: 'pluto_rt/file_row', target: '#files' },
  ],
};

/** `url` with its query parameter `name` set to `value` (or removed, for undefined). */
function withParam(url: string, name: string, value: string | string[] | undefined): string {
  const parsed = new URL(url, 'http://x');
  parsed.searchParams.delete(name);
  for (const one of [value ?? []].flat()) parsed.searchParams.append(name, one);
  return `${parsed.pathname}${parsed.search}`;
}

describe('routes, placements and merged bursts (e2e)', () => {
  let t: TestApp;
  const { open } = sseSuite((app) => (t = app));

  describe('the routes are signed', () => {
    const routeParams = (url: string) => new URL(url, 'http://x').searchParams.getAll('route');

    it.each([
      ['into', (url: string) => withParam(url, 'into', '#elsewhere')],
      ['keep', (url: string) => withParam(url, 'keep', '21')],
      [
        'a route target',
        (url: string) =>
          withParam(
            url,
            'route',
            routeParams(url).map((r) => r.replace('#bar', '#rows')),
          ),
      ],
      [
        'a route template',
        (url: string) =>
          withParam(
            url,
            'route',
            routeParams(url).map((r) => r.replace('file_row', 'list_item')),
          ),
      ],
      [
        'a route mode',
        (url: string) =>
          withParam(
            url,
            'route',
            routeParams(url).map((r) => r.replace('replace', 'append')),
          ),
      ],
      [
        'a route keep',
        (url: string) =>
          withParam(
            url,
            'route',
            routeParams(url).map((r) => (r.startsWith('file|') ? r.replace(/\|0$/, '|5') : r)),
          ),
      ],
      ['the routes order', (url: string) => withParam(url, 'route', routeParams(url).reverse())],
      ['a route dropped', (url: string) => withParam(url, 'route', routeParams(url).slice(1))],
      [
        'a route added',
        (url: string) =>
          withParam(url, 'route', [...routeParams(url), 'x|pluto_rt/list_item|append|#x|0']),
      ],
      ['every route dropped', (url: string) => withParam(withParam(url, 'route', []), 'keep', '0')],
    ])('changing %s is refused (403) on both routes', async (_, tamper) => {
      const urls = t.rt.rtUrls(t.rt.createQueueName(), ROUTED);
      for (const url of [urls.sse, urls.poll]) {
        const res = await request(t.url).get(tamper(url));
        expect({ url, status: res.status }).toEqual({ url, status: 403 });
      }
    });

    it('a routed URL without its routes, or an unrouted one with routes, is refused (403)', async () => {
      const plain = t.rt.rtUrls(t.rt.createQueueName(), { itemTemplate: 'pluto_rt/list_item' });
      const res = await request(t.url).get(withParam(plain.poll, 'into', '#rows'));
      expect(res.status).toBe(403);
      const routed = t.rt.rtUrls(t.rt.createQueueName(), ROUTED);
      const stripped = ['into', 'keep', 'route'].reduce(
        (u, p) => withParam(u, p, undefined),
        routed.poll,
      );
      expect((await request(t.url).get(stripped)).status).toBe(403);
    });

    it.each([
      ['a malformed route', { route: 'progress|pluto_rt/progress' }, /Invalid route/],
      ['a route with a bad target', { route: 'p|pluto_rt/progress|replace|#a b|0' }, /target/],
      [
        'two routes of one type',
        { route: ['p|pluto_rt/a|append|#a|0', 'p|pluto_rt/b|append|#b|0'] },
        /two routes/,
      ],
      ['keep that is no number', { keep: 'many' }, /Invalid keep/],
      ['routes without into', { into: undefined }, /need the default target/],
    ])('%s is a 400 that says why', async (_, change, message) => {
      const urls = t.rt.rtUrls(t.rt.createQueueName(), ROUTED);
      let url = urls.poll;
      for (const [name, value] of Object.entries(change)) url = withParam(url, name, value);
      const res = await request(t.url).get(url);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(message);
    });

    it('rtUrls refuses routes that cannot work, with a typed error', () => {
      const name = t.rt.createQueueName();
      const bar = { type: 'progress', itemTemplate: 'pluto_rt/progress', target: '#bar' };
      expect(() => t.rt.rtUrls(name, { ...ROUTED, routes: [bar, bar] })).toThrow(/two routes/);
      expect(() =>
        t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item', routes: [bar] }),
      ).toThrow(/need a target/);
      expect(() =>
        t.rt.rtUrls(name, { ...ROUTED, routes: [{ ...bar, mode: 'replace', keep: 3 }] }),
      ).toThrow(/a replace route keeps one item/);
      expect(() => t.rt.rtUrls(name, { ...ROUTED, keep: -1 })).toThrow(/keep/);
    });
  });

  describe('placements', () => {
    it('a bad placement is a typed error, and nothing is pushed', async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await queue.push({ n: 1 });
      for (const placement of [
        { target: 'tr > td', action: 'append' },
        { target: '#row', action: 'explode' },
        { target: '', action: 'append' },
        { action: 'append' },
        'append #row',
      ]) {
        await expect(queue.push({ n: 2 }, placement as never)).rejects.toBeInstanceOf(
          RtPlacementError,
        );
      }
      expect(await t.redis.xlen(t.key(name))).toBe(1);
    });

    it('the JSON flavour: a placed item is an event "placed" with its target and action', async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await queue.push({ n: 1 });
      await queue.push({ n: 2 }, { target: '#row-2', action: 'morph' });
      await queue.complete();
      const sse = await open(t.rt.rtUrls(name).sse);
      await sse.untilEnd();
      expect(sse.events.map((e) => [e.event, e.data])).toEqual([
        [undefined, '{"n":1}'],
        ['placed', '{"target":"#row-2","action":"morph","item":{"n":2}}'],
        ['close', 'complete'],
      ]);
      const poll = await request(t.url).get(t.rt.rtUrls(name).poll);
      expect(
        poll.body.items.map((i: { item: unknown; placement?: unknown }) => [i.item, i.placement]),
      ).toEqual([
        [{ n: 1 }, undefined],
        [{ n: 2 }, { target: '#row-2', action: 'morph' }],
      ]);
    });

    it('a routed poll answers partials in push order, and its poller carries what it keeps', async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await Promise.all([
        queue.push({ n: 1, text: 'one' }),
        queue.push({ type: 'progress', percent: 10 }),
        queue.push(
          { type: 'file', id: 'f1', name: 'a', state: 'new' },
          { target: '#f1', action: 'replace' },
        ),
        queue.push({ type: 'progress', percent: 20 }),
        queue.push({ n: 2, text: 'two' }),
      ]);
      const url = withParam(t.rt.rtUrls(name, ROUTED).poll, 'el', 'poller');
      const res = await request(t.url).get(`${url}&every=1s&hx=2`);
      expect(res.status).toBe(200);
      const partials = [
        ...res.text.matchAll(/<hx-partial hx-target="([^"]+)" hx-swap="([^"]+)">/g),
      ];
      expect(partials.map((m) => `${m[1]} ${m[2]}`)).toEqual([
        '#rows beforeend',
        '#f1 outerHTML',
        '#bar innerHTML',
        '#rows beforeend',
        '#poller outerHTML',
      ]);
      expect(res.text).toContain('>20%</div>');
      expect(res.text).not.toContain('>10%</div>');
      expect(res.text).toContain(
        'data-pluto-rt-keep="[[&quot;#rows&quot;,20,&quot;append&quot;]]"',
      );
    });
  });

  describe('merged bursts', () => {
    it('items ready together are one event whose id is the last one; resuming from it misses and repeats nothing', async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await Promise.all(
        Array.from({ length: 300 }, (_, i) => queue.push({ n: i + 1, text: `m${i + 1}` })),
      );
      const url = t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse;
      const first = await open(url);
      const firstItems = await first.untilListItems(1);
      const event = first.items[0]!;
      const inFirst = firstItems.filter((item) => item.eventId === event.id);
      expect(inFirst.length).toBeGreaterThan(1);
      expect(event.id).toBe((await t.redis.xrange(t.key(name), '-', '+'))[inFirst.length - 1]![0]);
      first.destroy();

      // Resume from the middle of the burst: after the first merged event.
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => queue.push({ n: 301 + i, text: `m${301 + i}` })),
      );
      await queue.complete();
      const resumed = await open(url, { 'Last-Event-ID': event.id! });
      await resumed.untilEnd();
      const shown = [...inFirst, ...resumed.listItems].map((item) => item.n);
      expect(shown).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      expect(resumed.items.length).toBeLessThan(500 - inFirst.length);
    });

    it('a big burst goes as events of at most 100 rows, each id its last row, every row once in order', async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      await Promise.all(
        Array.from({ length: 250 }, (_, i) => queue.push({ n: i + 1, text: `m${i + 1}` })),
      );
      await queue.complete();
      const sse = await open(t.rt.rtUrls(name, { itemTemplate: 'pluto_rt/list_item' }).sse);
      await sse.untilEnd();
      const ids = (await t.redis.xrange(t.key(name), '-', '+')).map(([id]) => id);
      const perEvent = sse.items.map((e) => sse.listItems.filter((i) => i.eventId === e.id));
      expect(perEvent.every((rows) => rows.length > 0 && rows.length <= 100)).toBe(true);
      expect(perEvent.length).toBeGreaterThanOrEqual(3);
      expect(sse.items.map((e) => e.id)).toEqual(perEvent.map((rows) => ids[rows.at(-1)!.n - 1]));
      expect(sse.listItems.map((i) => i.n)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    });

    it('a group: a big burst of two queues goes as events of at most 100 rows, in order per queue', async () => {
      const names = [t.rt.createQueueName(), t.rt.createQueueName()];
      for (const name of names) {
        const queue = t.rt.get(name);
        await Promise.all(
          Array.from({ length: 150 }, (_, i) => queue.push({ n: i + 1, text: `m${i + 1}` })),
        );
        await queue.complete();
      }
      const { sse: url } = t.rt.rtGroupUrls(
        names.map((queue, i) => ({ queue, itemTemplate: 'pluto_rt/list_item', target: `#q${i}` })),
      );
      const sse = await open(url);
      await sse.untilEnd();
      const rowsOf = (data: string, target: string) => {
        const part = new RegExp(`hx-target="${target}"[^>]*>([\\s\\S]*?)</hx-partial>`).exec(data);
        return [...(part?.[1] ?? '').matchAll(/data-n="(\d+)"/g)].map((m) => Number(m[1]));
      };
      const events = sse.items.filter((e) => e.data!.includes('hx-partial'));
      const counts = events.map(
        (e) => rowsOf(e.data!, '#q0').length + rowsOf(e.data!, '#q1').length,
      );
      expect(counts.every((count) => count > 0 && count <= 100)).toBe(true);
      for (const target of ['#q0', '#q1'])
        expect(events.flatMap((e) => rowsOf(e.data!, target))).toEqual(
          Array.from({ length: 150 }, (_, i) => i + 1),
        );
    });

    it('a replace route gets only the latest of a burst, and the last value always arrives', async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      const sse = await open(t.rt.rtUrls(name, ROUTED).sse);
      await sse.until(() => sse.comments.includes('open'), 'the stream to open');
      await Promise.all(
        Array.from({ length: 1_000 }, (_, i) =>
          queue.push({ type: 'progress', percent: (i + 1) / 10 }),
        ),
      );
      await queue.complete();
      await sse.untilEnd();
      const bars = sse.items.map(
        (e) => /<div class="bar"[^>]*>([\d.]+)%<\/div>/.exec(e.data!)?.[1],
      );
      expect(bars.every((bar) => bar !== undefined)).toBe(true);
      expect(bars.length).toBeLessThan(1_000);
      expect(bars.at(-1)).toBe('100');
      expect(sse.items.every((e) => (e.data!.match(/class="bar"/g) ?? []).length === 1)).toBe(true);
    });
  });
});
