import request from 'supertest';
import { goneQueue } from '../helpers/gone-queue.js';
import {
  listMembers,
  pastExpiry,
  pushTo,
  shownIn,
  signedGroupUrl,
  upTo,
  type TestMember,
} from '../helpers/group.js';
import { elements, param } from '../helpers/markup.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** The poller that closes an answer: a trailing partial that replaces `#g1`. */
function trailingPoller(html: string) {
  const match =
    /<hx-partial hx-target="#g1" hx-swap="outerHTML">(<div [^>]*>.*?<\/div>)<\/hx-partial>$/.exec(
      html,
    );
  if (!match) throw new Error(`no trailing poller in: ${html}`);
  return { attrs: elements(match[1]!, 'div')[0]!, html: match[1]! };
}

describe('group polling (e2e)', () => {
  let t: TestApp;
  let short: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    short = await startTestApp({ options: { completedTtlSeconds: 1 } });
  });
  afterAll(async () => {
    await t.close();
    await short.close();
  });

  /** The group's first poll URL with placement g1 (as the group partial writes it). */
  const pollUrl = (app: TestApp, members: TestMember[], extra = '') =>
    `${app.rt.rtGroupUrls(members).poll}&el=g1&every=1s&hx=4${extra}`;

  it("answers what is new in each queue, as partials into each queue's target in its mode's order, then the next poller", async () => {
    const [a, b] = [
      ...listMembers(t, 1),
      ...listMembers(t, 1, 'reverse').map((m) => ({ ...m, target: '#b' })),
    ];
    await pushTo(t, a!, 1, 2);
    await pushTo(t, b!, 1, 3);
    const res = await request(t.url)
      .get(pollUrl(t, [a!, b!]))
      .set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(shownIn(res.text)).toEqual([
      { target: '#q0', swap: 'beforeend', numbers: [1, 2] },
      { target: '#b', swap: 'afterbegin', numbers: [3, 2, 1] },
      { target: '#g1', swap: 'outerHTML', numbers: [] },
    ]);
    const { attrs } = trailingPoller(res.text);
    expect(attrs).toMatchObject({
      id: 'g1',
      class: 'pluto-rt-poller',
      'hx-trigger': 'every 1s',
      'hx-swap': 'none',
      'hx-status:4xx': 'swap:none',
    });
    expect(attrs['hx-target']).toBeUndefined();
    expect(param(attrs['hx-get']!, 'after')).toBe(`${a!.ids[1]}.${b!.ids[2]}`);
    expect(param(attrs['hx-get']!, 'el')).toBe('g1');
    expect(param(attrs['hx-get']!, 'hx')).toBe('4');
  });

  it('follows the chain to the end: every item once, 204 while nothing moves, 286 and an inert poller at the end', async () => {
    const members = listMembers(t, 3);
    let next = pollUrl(t, members, '&count=2');
    const seen: Record<string, number[]> = {};
    const statuses: number[] = [];
    const poll = async () => {
      const res = await request(t.url).get(next).set('HX-Request', 'true');
      statuses.push(res.status);
      if (res.status === 204) return res;
      for (const shown of shownIn(res.text))
        if (shown.target !== '#g1') (seen[shown.target] ??= []).push(...shown.numbers);
      const poller = trailingPoller(res.text).attrs;
      if (poller['hx-get']) next = poller['hx-get'];
      return res;
    };
    expect((await poll()).status).toBe(204); // no queue has started
    await pushTo(t, members[0]!, 1, 5);
    await pushTo(t, members[2]!, 1, 1);
    while ((await poll()).status !== 204);
    expect(seen).toEqual({ '#q0': upTo(5), '#q2': [1] });
    // count=2 per queue: five items took three answers.
    expect(statuses).toEqual([204, 200, 200, 200, 204]);
    await t.rt.get(members[0]!.queue).complete();
    await t.rt.get(members[1]!.queue).complete();
    await pushTo(t, members[2]!, 2, 2);
    await t.rt.get(members[2]!.queue).complete();
    let last: request.Response;
    do last = await poll();
    while (last.status === 200);
    expect(last.status).toBe(286);
    const inert = trailingPoller(last.text);
    expect(inert.html).toBe('<div id="g1" class="pluto-rt-poller"></div>');
    expect(seen).toEqual({ '#q0': upTo(5), '#q2': upTo(2) });
  });

  it('answers the HTML poll URL of rtGroupUrls as returned: the partials, the next cursor in a header, no poller', async () => {
    const members = listMembers(t, 2);
    await pushTo(t, members[0]!, 1, 2);
    const { poll } = t.rt.rtGroupUrls(members);
    const res = await request(t.url).get(poll);
    expect(res.status).toBe(200);
    expect(shownIn(res.text)).toEqual([{ target: '#q0', swap: 'beforeend', numbers: [1, 2] }]);
    const cursor = res.headers['pluto-rt-cursor'];
    expect(cursor).toBe(`${members[0]!.ids[1]}.0-0`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.etag).toBeUndefined();

    for (const member of members) await t.rt.get(member.queue).complete();
    const end = await request(t.url).get(`${poll}&after=${cursor}`);
    expect([end.status, end.headers['pluto-rt-cursor']]).toEqual([286, 'done.done']);
    expect(end.headers['cache-control']).toBe('no-store');
  });

  it('answers 200 with the new cursor when a queue only ended (nothing to show, but it moved)', async () => {
    const members = listMembers(t, 2);
    await pushTo(t, members[0]!, 1, 1);
    await pushTo(t, members[1]!, 1, 1);
    await t.rt.get(members[0]!.queue).complete();
    const after = `${members[0]!.ids[0]}.${members[1]!.ids[0]}`;
    const res = await request(t.url)
      .get(`${pollUrl(t, members)}&after=${after}`)
      .set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(shownIn(res.text).map((shown) => shown.target)).toEqual(['#g1']);
    expect(param(trailingPoller(res.text).attrs['hx-get']!, 'after')).toBe(
      `done.${members[1]!.ids[0]}`,
    );
  });

  it("shows a notice in a gone queue's target and goes on with the others", async () => {
    const [gone, live] = listMembers(short, 2);
    await goneQueue(short, gone!.queue);
    await pushTo(short, live!, 1, 1);
    const res = await request(short.url)
      .get(pollUrl(short, [gone!, live!]))
      .set('HX-Request', 'true');
    expect(res.status).toBe(200);
    expect(shownIn(res.text)).toEqual([
      { target: '#q0', swap: 'beforeend', numbers: [], notice: 'gone' },
      { target: '#q1', swap: 'beforeend', numbers: [1] },
      { target: '#g1', swap: 'outerHTML', numbers: [] },
    ]);
    expect(param(trailingPoller(res.text).attrs['hx-get']!, 'after')).toBe(`done.${live!.ids[0]}`);
  });

  it('refuses a placement with a target (a group names its targets) and a malformed cursor: 400', async () => {
    const members = listMembers(t, 2);
    for (const [extra, message] of [
      ['&target=%23x', /Invalid target: a group names its targets/],
      ['&after=0-0', /Invalid cursor/],
      ['&hx=3', /Invalid hx/],
    ] as const) {
      const res = await request(t.url).get(pollUrl(t, members, extra));
      expect(res.status).toBe(400);
      expect(res.text).toMatch(message);
    }
  });

  it("stops an htmx group poller whose URL expired: 286 and an inert poller that says why, in the poller's place", async () => {
    const { grant } = t.rt.rtGroupUrls(listMembers(t, 2));
    const url = `${signedGroupUrl(t, 'poll', { ...grant, expires: pastExpiry() })}&el=g1&every=1s&hx=2`;
    const plain = await request(t.url).get(url);
    expect(plain.status).toBe(403);
    const htmx = await request(t.url).get(url).set('HX-Request', 'true');
    expect(htmx.status).toBe(286);
    const { html } = trailingPoller(htmx.text);
    expect(html).toMatch(
      /^<div id="g1" class="pluto-rt-poller"><p class="pluto-rt-notice" role="status" data-reason="expired">/,
    );
  });

  describe('JSON flavour', () => {
    it('answers the items naming their queue, the queues that ended, the cursor; 204 when nothing moved', async () => {
      const [a, b] = [t.rt.createQueueName(), t.rt.createQueueName()];
      const url = t.rt.rtGroupUrls([{ queue: a }, { queue: b, mode: 'reverse' }]).poll;
      expect((await request(t.url).get(url)).status).toBe(204);
      const a1 = await t.rt.get(a).push({ n: 1 });
      const b1 = await t.rt.get(b).push({ n: 1 });
      const b2 = await t.rt.get(b).push({ n: 2 });
      await t.rt.get(b).complete();
      const res = await request(t.url).get(url);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [
          { queue: a, id: a1, item: { n: 1 } },
          { queue: b, id: b2, item: { n: 2 } },
          { queue: b, id: b1, item: { n: 1 } },
        ],
        ended: [{ queue: b, reason: 'complete' }],
        cursor: `${a1}.done`,
        complete: false,
      });
      expect((await request(t.url).get(`${url}&after=${res.body.cursor}`)).status).toBe(204);
      await t.rt.get(a).complete();
      const last = await request(t.url).get(`${url}&after=${res.body.cursor}`);
      expect(last.status).toBe(200);
      expect(last.body).toEqual({
        items: [],
        ended: [{ queue: a, reason: 'complete' }],
        cursor: 'done.done',
        complete: true,
      });
    });
  });
});
