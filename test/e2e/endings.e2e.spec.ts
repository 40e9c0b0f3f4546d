import request from 'supertest';
import { RtEndError } from '../../lib/index.js';
import type { RawSseClient } from '../helpers/sse-client.js';
import { sseSuite } from '../helpers/sse-suite.js';
import type { TestApp } from '../helpers/test-app.js';

const LIST = { itemTemplate: 'pluto_rt/list_item' };
/** The named events of a stream (the end and close), as `[event, data]`. */
const named = (client: RawSseClient) =>
  client.events.filter((e) => e.event !== undefined).map((e) => [e.event, e.data]);

describe('endings with a reason (e2e)', () => {
  let t: TestApp;
  const { open } = sseSuite((app) => (t = app));

  /** A queue with two items, ready to end. */
  async function started(): Promise<{ name: string; ids: string[] }> {
    const name = t.rt.createQueueName();
    const q = t.rt.get(name);
    const ids = [await q.push({ n: 1, text: 'one' }), await q.push({ n: 2, text: 'two' })];
    return { name, ids };
  }

  describe('SSE', () => {
    it('a live stream hears a failure after the items before it: end {reason, message}, then close', async () => {
      const { name } = await started();
      const sse = await open(t.rt.rtUrls(name, LIST).sse);
      await sse.untilListItems(2);
      await t.rt.get(name).fail('Disk full <on /tmp>');
      await sse.untilEnd();
      expect(sse.listItems.map((i) => i.n)).toEqual([1, 2]);
      expect(named(sse)).toEqual([
        ['end', '{"reason":"failed","message":"Disk full <on /tmp>"}'],
        ['close', 'failed'],
      ]);
    });

    it('a plain complete() is `close` alone, as before endings had reasons', async () => {
      const { name } = await started();
      await t.rt.get(name).complete();
      const sse = await open(t.rt.rtUrls(name, LIST).sse);
      await sse.untilEnd();
      expect(named(sse)).toEqual([['close', 'complete']]);
    });

    it('a reconnect after the end still learns the reason (from the last item, and from the end itself)', async () => {
      const { name, ids } = await started();
      await t.rt.get(name).end('cancelled', 'Stopped by Ada');
      const expected = [
        ['end', '{"reason":"cancelled","message":"Stopped by Ada"}'],
        ['close', 'cancelled'],
      ];
      const fromLastItem = await open(t.rt.rtUrls(name, LIST).sse, { 'Last-Event-ID': ids[1]! });
      await fromLastItem.untilEnd();
      expect([fromLastItem.items.length, named(fromLastItem)]).toEqual([0, expected]);
      const endId = fromLastItem.events.at(-1)!.id!;
      const fromEnd = await open(t.rt.rtUrls(name, LIST).sse, { 'Last-Event-ID': endId });
      await fromEnd.untilEnd();
      expect(named(fromEnd)).toEqual(expected);
    });

    it('the JSON flavour: the same end event, its data JSON', async () => {
      const { name } = await started();
      const sse = await open(t.rt.rtUrls(name).sse);
      await sse.untilItems(2);
      await t.rt.get(name).end('cancelled');
      await sse.untilEnd();
      expect(named(sse)).toEqual([
        ['end', '{"reason":"cancelled"}'],
        ['close', 'cancelled'],
      ]);
    });
  });

  describe('polling', () => {
    it("HTML: 286, and the poller comes back inert with the state and the ending's line", async () => {
      const { name } = await started();
      await t.rt.get(name).fail('Disk full');
      const res = await request(t.url).get(`${t.rt.rtUrls(name, LIST).poll}&el=p1&target=%23rows`);
      expect(res.status).toBe(286);
      expect(res.text).toContain(
        '<div id="p1" class="pluto-rt-poller" hx-swap-oob="true" data-pluto-rt-state="failed">' +
          '<p class="pluto-rt-ended" role="status" data-reason="failed">Failed: Disk full</p></div>',
      );
    });

    it('JSON: complete, and the ending', async () => {
      const { name } = await started();
      await t.rt.get(name).end('cancelled', 'Stopped');
      const res = await request(t.url).get(t.rt.rtUrls(name).poll);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        complete: true,
        end: { reason: 'cancelled', message: 'Stopped' },
      });
      expect(res.body.items).toHaveLength(2);
    });

    it('a plain complete(): the inert poller says complete, and shows no line', async () => {
      const { name } = await started();
      await t.rt.get(name).complete();
      const res = await request(t.url).get(`${t.rt.rtUrls(name, LIST).poll}&el=p1&target=%23rows`);
      expect(res.status).toBe(286);
      expect(res.text).toContain(
        '<div id="p1" class="pluto-rt-poller" hx-swap-oob="true" data-pluto-rt-state="complete"></div>',
      );
    });
  });

  describe('groups: each queue ends with its own reason', () => {
    async function threeEndings(): Promise<string[]> {
      const names = await Promise.all([started(), started(), started()]);
      await t.rt.get(names[0]!.name).complete();
      await t.rt.get(names[1]!.name).fail('Bad row 7');
      await t.rt.get(names[2]!.name).end('cancelled');
      return names.map((n) => n.name);
    }

    it('SSE, HTML: a failed or cancelled queue shows its line in its own target', async () => {
      const names = await threeEndings();
      const { sse: url } = t.rt.rtGroupUrls(
        names.map((queue, i) => ({ queue, ...LIST, target: `#q${i}` })),
      );
      const sse = await open(url);
      await sse.untilEnd();
      const data = sse.items.map((e) => e.data!).join('');
      expect(data).toContain(
        '<hx-partial hx-target="#q1" hx-swap="beforeend"><p class="pluto-rt-ended" role="status" data-reason="failed">Failed: Bad row 7</p></hx-partial>',
      );
      expect(data).toContain(
        '<hx-partial hx-target="#q2" hx-swap="beforeend"><p class="pluto-rt-ended" role="status" data-reason="cancelled">Cancelled</p></hx-partial>',
      );
      expect(data).not.toContain('hx-target="#q0" hx-swap="beforeend"><p class="pluto-rt-ended');
    });

    it('SSE, JSON: one end event per queue with its reason', async () => {
      const names = await threeEndings();
      const sse = await open(t.rt.rtGroupUrls(names.map((queue) => ({ queue }))).sse);
      await sse.untilEnd();
      const ends = sse.events.filter((e) => e.event === 'end').map((e) => JSON.parse(e.data!));
      expect(ends).toEqual([
        { queue: names[0], reason: 'complete' },
        { queue: names[1], reason: 'failed', message: 'Bad row 7' },
        { queue: names[2], reason: 'cancelled' },
      ]);
    });

    it('polling, JSON: the queues that ended, each with its reason', async () => {
      const names = await threeEndings();
      const res = await request(t.url).get(
        t.rt.rtGroupUrls(names.map((queue) => ({ queue }))).poll,
      );
      expect(res.body.ended).toEqual([
        { queue: names[0], reason: 'complete' },
        { queue: names[1], reason: 'failed', message: 'Bad row 7' },
        { queue: names[2], reason: 'cancelled' },
      ]);
    });
  });

  describe('the API', () => {
    it('refuses an unknown reason or a long message with RtEndError, and ends nothing', async () => {
      const { name } = await started();
      const q = t.rt.get(name);
      await expect(q.end('done' as never)).rejects.toBeInstanceOf(RtEndError);
      await expect(q.fail('x'.repeat(501))).rejects.toThrow(/at most 500 characters/);
      await expect(q.fail(42 as never)).rejects.toBeInstanceOf(RtEndError);
      await q.push({ n: 3, text: 'three' });
      const ends = await t.redis.xrange(t.key(name), '-', '+');
      expect(ends.map(([, fields]) => fields[0])).toEqual(['d', 'd', 'd']);
    });

    it('the first ending wins', async () => {
      const { name } = await started();
      await t.rt.get(name).fail('first');
      await t.rt.get(name).complete();
      await t.rt.get(name).end('cancelled');
      const sse = await open(t.rt.rtUrls(name).sse);
      await sse.untilEnd();
      expect(named(sse)).toEqual([
        ['end', '{"reason":"failed","message":"first"}'],
        ['close', 'failed'],
      ]);
    });
  });
});
