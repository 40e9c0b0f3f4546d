import hbs from 'hbs';
import request from 'supertest';
import { elements, param } from '../helpers/markup.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const BAR =
  '{{> pluto_rt/route type="progress" item_template="pluto_rt/progress" target="#bar" mode="replace"}}';

/** The partials in a view, rendered as the app's hbs renders it. */
const render = (source: string, context: object = {}) => hbs.handlebars.compile(source)(context);

describe('routes in the partials (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ mvc: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('an SSE block with routes: one element that swaps nothing itself, whose URL is signed with them', async () => {
    const queue = t.rt.createQueueName();
    await t.rt.get(queue).push({ n: 1, text: 'one' });
    const html = render(
      `{{#> pluto_rt/sse queue=queue item_template="pluto_rt/list_item" target="#rows" keep=30 id="live"}}${BAR}{{/pluto_rt/sse}}`,
      { queue },
    );
    const [el] = elements(html, 'div');
    expect(el!['hx-swap']).toBe('none');
    expect(JSON.parse(el!['data-pluto-rt-keep']!)).toEqual([['#rows', 30, 'append']]);
    const url = el!['sse-connect']!;
    expect(param(url, 'into')).toBe('#rows');
    expect(param(url, 'keep')).toBe('30');
    expect(param(url, 'route')).toBe('progress|pluto_rt/progress|replace|#bar|0');
    expect(param(url, 'hx')).toBe('2');
    const res = await request(t.url).head(url);
    expect(res.status).toBe(200);
  });

  it('target "this" of a routed element is the element itself', () => {
    const html = render(
      `{{#> pluto_rt/sse queue=queue item_template="pluto_rt/list_item" id="live"}}${BAR}{{/pluto_rt/sse}}`,
      { queue: t.rt.createQueueName() },
    );
    expect(param(elements(html, 'div')[0]!['sse-connect']!, 'into')).toBe('#live');
  });

  it('a routed poller has no target of its own: its URL names the default route instead', async () => {
    const queue = t.rt.createQueueName();
    await t.rt.get(queue).push({ n: 1, text: 'one' });
    const html = render(
      `{{#> pluto_rt/polling queue=queue item_template="pluto_rt/list_item" target="#rows" id="p"}}${BAR}{{/pluto_rt/polling}}`,
      { queue },
    );
    const [poller] = elements(html, 'div');
    expect(poller!['hx-swap']).toBe('none');
    const url = poller!['hx-get']!;
    expect(param(url, 'target')).toBeNull();
    expect(param(url, 'into')).toBe('#rows');
    const res = await request(t.url).get(url);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<hx-partial hx-target="#rows" hx-swap="beforeend">');
  });

  it("a group's queue as a block routes its own items", () => {
    const html = render(
      '{{#> pluto_rt/group id="g"}}' +
        `{{#> pluto_rt/queue queue=a item_template="pluto_rt/list_item" target="#a" keep=5}}${BAR}{{/pluto_rt/queue}}` +
        '{{> pluto_rt/queue queue=b item_template="pluto_rt/list_item" target="#b"}}' +
        '{{/pluto_rt/group}}',
      { a: t.rt.createQueueName(), b: t.rt.createQueueName() },
    );
    const [el] = elements(html, 'div');
    expect(JSON.parse(el!['data-pluto-rt-keep']!)).toEqual([['#a', 5, 'append']]);
    const members = new URL(el!['sse-connect']!, 'http://x').searchParams.getAll('q');
    expect(members[0]).toMatch(/:#a:5:progress\|pluto_rt\/progress\|replace\|#bar\|0$/);
    expect(members[1]).toMatch(/:#b$/);
  });

  it("a plain partial inside another partial's block does not render that block again", () => {
    hbs.registerPartial('test_layout', '<main>{{> @partial-block}}</main>');
    const html = render(
      '{{#> test_layout}}{{> pluto_rt/sse queue=queue item_template="pluto_rt/list_item" target="#rows" id="x"}}{{/test_layout}}',
      { queue: t.rt.createQueueName() },
    );
    expect(html.match(/<main>/g)).toHaveLength(1);
    expect(html.match(/id="x"/g)).toHaveLength(1);
  });

  it.each([
    ['a route outside a stream', BAR, /belongs inside/],
    [
      'a route with a misspelt parameter',
      '{{#> pluto_rt/sse queue=queue item_template="pluto_rt/list_item" target="#r"}}{{> pluto_rt/route type="p" itemTemplate="pluto_rt/progress" target="#bar"}}{{/pluto_rt/sse}}',
      /pluto_rt\/route: parameter itemTemplate is not one of .* \(did you mean &quot;item_template&quot;\?\)[^]*pluto_rt\/sse: not connected: a route of it has a wrong parameter/,
    ],
    [
      'keep that is no number',
      '{{> pluto_rt/sse queue=queue item_template="pluto_rt/list_item" target="#r" keep="all"}}',
      /parameter keep &quot;all&quot;: expected an integer/,
    ],
    [
      'a replace route that keeps a number',
      '{{#> pluto_rt/sse queue=queue item_template="pluto_rt/list_item" target="#r"}}{{> pluto_rt/route type="p" item_template="pluto_rt/progress" target="#bar" mode="replace" keep=3}}{{/pluto_rt/sse}}',
      /a replace route keeps one item/,
    ],
    [
      'two routes of one type',
      `{{#> pluto_rt/sse queue=queue item_template="pluto_rt/list_item" target="#r"}}${BAR}${BAR}{{/pluto_rt/sse}}`,
      /two routes for one type/,
    ],
  ])('%s says what is wrong in its place, and connects nothing', (_, source, message) => {
    const html = render(source, { queue: t.rt.createQueueName() });
    expect(html).toMatch(/class="pluto-rt-error"/);
    expect(html).toMatch(message);
    expect(html).not.toMatch(/sse-connect|hx-get/);
  });
});
