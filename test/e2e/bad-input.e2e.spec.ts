import request from 'supertest';
import { goneQueue } from '../helpers/gone-queue.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

type Route = 'sse' | 'poll';

/** `url` with the query string edited: `set` replaces a parameter, `drop` removes it, `raw` is appended as is. */
function edit(
  url: string,
  change: { set?: Record<string, string>; drop?: string[]; raw?: string },
): string {
  const parsed = new URL(url, 'http://x');
  for (const [name, value] of Object.entries(change.set ?? {}))
    parsed.searchParams.set(name, value);
  for (const name of change.drop ?? []) parsed.searchParams.delete(name);
  const search = parsed.searchParams.toString();
  return `${parsed.pathname}?${search}${change.raw ? `&${change.raw}` : ''}`;
}

/** A 4xx with a short one-line plain-text message: no stack, no JSON, no HTML, no echo of `echo`. */
function expectShortPlain4xx(res: request.Response, status: number, echo?: string) {
  expect({ status: res.status, text: res.text }).toEqual({ status, text: expect.any(String) });
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  expect(res.text.length).toBeGreaterThan(0);
  expect(res.text.length).toBeLessThan(200);
  expect(res.text).not.toMatch(/\n|\bat \S+ \(|^\s*[{<]/);
  if (echo) expect(res.text).not.toContain(echo);
}

describe('bad input', () => {
  let t: TestApp;
  let queue: string;
  /** Valid signed URLs of `queue` (which has two items and is open). */
  let urls: Record<Route, string>;
  let firstId: string;
  /** An app whose completed queues expire in a second, holding a gone 200-character queue. */
  let short: TestApp;
  const longName = 'q'.repeat(200);

  beforeAll(async () => {
    short = await startTestApp({ options: { completedTtlSeconds: 1 } });
    await goneQueue(short, longName);
    t = await startTestApp();
    queue = t.rt.createQueueName();
    firstId = await t.rt.get(queue).push({ n: 1, text: 'one' });
    await t.rt.get(queue).push({ n: 2, text: 'two' });
    const signed = t.rt.rtUrls(queue, { itemTemplate: 'pluto_rt/list_item' });
    urls = { sse: signed.sse, poll: `${signed.poll}&el=p1&target=%23out` };
  });
  afterAll(async () => {
    await t.close();
    await short.close();
  });

  it('the untouched URLs are fine (so each refusal below is about the one bad part)', async () => {
    expect((await request(t.url).get(urls.poll)).status).toBe(200);
    expect(
      (await request(t.url).get(edit(urls.poll, { set: { after: firstId, count: '1' } }))).status,
    ).toBe(200);
    // An open SSE stream would not end: check a completed queue's stream instead.
    const done = t.rt.createQueueName();
    await t.rt.get(done).push({ n: 1, text: 'one' });
    await t.rt.get(done).complete();
    const res = await request(t.url)
      .get(t.rt.rtUrls(done, { itemTemplate: 'pluto_rt/list_item' }).sse)
      .buffer(true);
    expect(res.status).toBe(200);
    expect(res.text).toContain('event: close');
  });

  describe.each(['sse', 'poll'] as const)('on %s', (route) => {
    /** The valid URL of `route` for `name` instead of the signed queue (signature unchanged). */
    const forQueue = (path: string) =>
      urls[route].replace(`/${route}/${queue}?`, `/${route}/${path}?`);

    it.each([
      ['bad characters', 'bad!name'],
      ['a dot', 'rtq.abc'],
      ['a colon (Redis key separator)', 'rtq%3Aabc'],
      ['a star (Redis pattern)', 'rtq*'],
      ['a space', 'rtq%20abc'],
      ['non-ASCII', 'rtq_%C3%A9'],
      ['an encoded slash', 'rtq%2F..%2Fx'],
      ['an encoded NUL', 'rtq%00'],
      ['201 characters', 'q'.repeat(201)],
      ['a lone space', '%20'],
      ['a lone tab', '%09'],
      ['a lone NUL', '%00'],
    ])('an invalid queue name (%s) gives 400', async (_, path) => {
      expectShortPlain4xx(await request(t.url).get(forQueue(path)), 400);
    });

    it('a malformed percent-encoding in the queue name gives 400, not 500', async () => {
      const res = await request(t.url).get(forQueue('%E0%A4%A'));
      expect(res.status).toBe(400);
    });

    it('bracketed (object/array) query parameters are ignored or refused, never a 5xx', async () => {
      const done = t.rt.createQueueName();
      await t.rt.get(done).push({ n: 1, text: 'one' });
      await t.rt.get(done).complete();
      const signed = t.rt.rtUrls(done, { itemTemplate: 'pluto_rt/list_item' });
      const url = route === 'sse' ? signed.sse : `${signed.poll}&el=p1&target=%23out`;
      for (const raw of [
        'count[]=1',
        'after[x]=1',
        'mode[]=append',
        'sig[]=x',
        '__proto__[x]=1',
        'constructor=1',
      ]) {
        const res = await request(t.url).get(edit(url, { raw })).buffer(true);
        expect([200, 286, 400]).toContain(res.status);
      }
    });

    it('a 200-character queue name is valid: signed and gone (completed, expired) gives 404', async () => {
      const signed = short.rt.rtUrls(longName, { itemTemplate: 'pluto_rt/list_item' });
      const url = route === 'sse' ? signed.sse : `${signed.poll}&el=p1&target=%23out`;
      expectShortPlain4xx(await request(short.url).get(url), 404);
    });

    it.each([
      'abc',
      '1-',
      '-1',
      '1-2-3',
      '1.5-0',
      '99999999999999999-0',
      '0x10-0',
      ' 1-0',
      '1-0%00',
      '18446744073709551616-0',
    ])('after=%s gives 400', async (after) => {
      const url = edit(urls[route], { set: { after: decodeURIComponent(after) } });
      expectShortPlain4xx(await request(t.url).get(url), 400);
    });

    it('a repeated after gives 400', async () => {
      const url = edit(urls[route], { raw: `after=${firstId}&after=${firstId}` });
      expectShortPlain4xx(await request(t.url).get(url), 400);
    });

    it.each(['foo', 'APPEND', 'append ', 'prepend', ''])('mode=%j gives 400', async (mode) => {
      expectShortPlain4xx(await request(t.url).get(edit(urls[route], { set: { mode } })), 400);
    });

    it.each(['xml', 'JSON', 'html,json', ''])('format=%j gives 400', async (format) => {
      expectShortPlain4xx(await request(t.url).get(edit(urls[route], { set: { format } })), 400);
    });

    it.each(['sig', 'exp'])('a missing %s gives 403', async (name) => {
      expectShortPlain4xx(await request(t.url).get(edit(urls[route], { drop: [name] })), 403);
    });

    it('missing sig and exp together give 403', async () => {
      expectShortPlain4xx(
        await request(t.url).get(edit(urls[route], { drop: ['sig', 'exp'] })),
        403,
      );
    });

    it.each([
      ['exp', 'soon'],
      ['exp', '-1'],
      ['exp', '1e12'],
      ['exp', '9999999999999'],
      ['sig', 'not base64url!'],
      ['sig', 'x'.repeat(101)],
    ])('a malformed %s (%j) gives 403', async (name, value) => {
      expectShortPlain4xx(
        await request(t.url).get(edit(urls[route], { set: { [name]: value } })),
        403,
      );
    });

    it.each([
      'mode=append&mode=reverse',
      'mode=append&mode=append',
      'tpl=pluto_rt/list_item',
      'format=json&format=json',
    ])('repeated query parameters (%s) give 400', async (raw) => {
      expectShortPlain4xx(await request(t.url).get(edit(urls[route], { raw })), 400);
    });

    it.each(['sig', 'exp'])('a repeated %s gives 4xx', async (name) => {
      const value = new URL(urls[route], 'http://x').searchParams.get(name)!;
      const res = await request(t.url).get(edit(urls[route], { raw: `${name}=${value}` }));
      expectShortPlain4xx(res, 400);
    });
  });

  describe('Last-Event-ID on SSE', () => {
    it.each(['abc', '1-', '1-2-3', 'null', '99999999999999999-0', '1-0, 2-0'])(
      'Last-Event-ID: %s gives 400',
      async (id) => {
        const res = await request(t.url).get(urls.sse).set('Last-Event-ID', id);
        expectShortPlain4xx(res, 400);
      },
    );

    it('a bad Last-Event-ID gives 400 even beside a valid after', async () => {
      const res = await request(t.url)
        .get(edit(urls.sse, { set: { after: firstId } }))
        .set('Last-Event-ID', 'nope');
      expectShortPlain4xx(res, 400);
    });
  });

  describe('count on poll', () => {
    it.each(['0', '-1', '1.5', 'abc', '100000', '1001', '', '1e2', '0x10', ' 5', '5 '])(
      'count=%j gives 400',
      async (count) => {
        expectShortPlain4xx(await request(t.url).get(edit(urls.poll, { set: { count } })), 400);
      },
    );

    it('a repeated count gives 400', async () => {
      expectShortPlain4xx(
        await request(t.url).get(edit(urls.poll, { raw: 'count=1&count=2' })),
        400,
      );
    });

    it('a bad count gives 400 on the JSON flavour too', async () => {
      expectShortPlain4xx(
        await request(t.url).get(edit(t.rt.rtUrls(queue).poll, { set: { count: '0' } })),
        400,
      );
    });
  });

  describe('poller placement on poll', () => {
    it.each([
      ['el', undefined],
      ['el', ''],
      ['el', '1abc'],
      ['el', 'a b'],
      ['el', 'a"b'],
      ['el', '"><script>alert(1)</script>'],
      ['el', 'x" hx-on:load="alert(1)'],
      ['el', 'a'.repeat(101)],
      ['target', undefined],
      ['target', ''],
      ['target', '"><script>alert(1)</script>'],
      ['target', "#a' onmouseover='alert(1)"],
      ['target', '#a, #b'],
      ['target', 'body > div'],
      ['target', '##x'],
      ['every', '1h'],
      ['every', 'abc'],
      ['every', '0.5s'],
      ['every', '1s" hx-on:load="alert(1)'],
      ['every', '1s, every 1ms'],
      ['every', ''],
      ['every', '9999999s'],
    ])('%s=%j gives 400 without echoing it', async (name, value) => {
      const url =
        value === undefined
          ? edit(urls.poll, { drop: [name] })
          : edit(urls.poll, { set: { [name]: value } });
      const res = await request(t.url).get(url);
      expectShortPlain4xx(res, 400, value || undefined);
      expect(res.text).not.toContain('<script');
    });

    it.each([
      ['el', 'el=p2'],
      ['target', 'target=%23out'],
      ['every', 'every=1s&every=2s'],
    ])('a repeated %s gives 400', async (_, raw) => {
      expectShortPlain4xx(await request(t.url).get(edit(urls.poll, { raw })), 400);
    });

    it('placement is not needed for JSON', async () => {
      const res = await request(t.url).get(t.rt.rtUrls(queue).poll);
      expect(res.status).toBe(200);
    });
  });

  it('nothing above made the server fail: a valid request still works', async () => {
    expect((await request(t.url).get(urls.poll)).status).toBe(200);
  });
});
