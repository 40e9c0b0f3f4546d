import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import hbs from 'hbs';
import type { Browser, Page } from 'playwright-core';
import type { RtAction } from '../../lib/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { CuttingProxy } from '../reliability/helpers/cutting-proxy.js';
import { pageScript } from '../reliability/helpers/page-script.js';

/** What every page shows: a log, a bar, a table of files and a status, all fed by one queue. */
const BODY =
  '<ul id="rows"></ul><div id="bar"></div><span id="status">waiting</span>' +
  '<ul id="files"><li id="f1" class="file">one</li><li id="f2" class="file">two</li>' +
  '<li id="f3" class="file">three</li></ul><ul id="other"></ul>';
const ROUTES =
  '{{> pluto_rt/route type="progress" item_template="pluto_rt/progress" target="#bar" mode="replace"}}' +
  '{{> pluto_rt/route type="file" item_template="pluto_rt/file_row" target="#files"}}' +
  '{{> pluto_rt/route type="state" item_template="pluto_rt/state" target="#status" mode="replace"}}';
const DEFAULT = 'queue=queue item_template="pluto_rt/list_item" target="#rows" keep=keep';

const shell = (connection: string) =>
  hbs.handlebars.compile(
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
      `{{> pluto_rt/scripts htmx=major}}</head><body>${BODY}${connection}</body></html>`,
  );

/** One page per way of connecting; each routes the same four kinds of item. */
const PAGES = {
  sse: shell(`{{#> pluto_rt/sse ${DEFAULT} htmx=major}}${ROUTES}{{/pluto_rt/sse}}`),
  polling: shell(
    `{{#> pluto_rt/polling ${DEFAULT} interval="100ms" htmx=major}}${ROUTES}{{/pluto_rt/polling}}`,
  ),
  group: shell(
    '{{#> pluto_rt/group transport=transport interval="100ms" htmx=major}}' +
      `{{#> pluto_rt/queue ${DEFAULT}}}${ROUTES}{{/pluto_rt/queue}}` +
      '{{> pluto_rt/queue queue=other item_template="pluto_rt/list_item" target="#other"}}' +
      '{{/pluto_rt/group}}',
  ),
};
type Connection = 'sse' | 'polling' | 'group-sse' | 'group-polling';

@Controller('routed')
class RoutedPages {
  @Get(':page/:major/:queue')
  @Header('Content-Type', 'text/html; charset=utf-8')
  show(
    @Param('page') page: keyof typeof PAGES,
    @Param('major') major: string,
    @Param('queue') queue: string,
    @Query() query: { keep?: string; transport?: string; other?: string },
  ): string {
    return PAGES[page]({ queue, major, ...query });
  }
}

/** Counts the page's stream events (either major) and records when its stream closes. */
const EVENT_COUNTER = `window.__events = 0;
  document.addEventListener('htmx:sseBeforeMessage', (e) => { if (e.detail.type === 'message') window.__events++; });
  document.addEventListener('htmx:sse:before:message', (e) => { if (!e.detail.message.event) window.__events++; });
  ${pageScript.recordSseClose}`;
/** A stream closed, or a poller stopped (it stays, without hx-get). */
const FINISHED =
  "window.__closed === true || (!!document.querySelector('.pluto-rt-poller') && !document.querySelector('.pluto-rt-poller[hx-get]'))";
const numbers = (selector: string) =>
  `[...document.querySelectorAll(${JSON.stringify(selector)})].map((li) => Number(li.getAttribute('data-n')))`;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each([2, 4] as const)('htmx %i: routes, placements and bursts (Chromium)', (major) => {
  let t: TestApp;
  let browser: Browser;
  let proxy: CuttingProxy;
  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestApp({ mvc: true, controllers: [RoutedPages], options: { sseRetryMs: 100 } }),
      launchChromium(),
    ]);
    proxy = await CuttingProxy.start(Number(new URL(t.url).port));
  });
  afterAll(async () => {
    await proxy?.close();
    await browser?.close();
    await t?.close();
  });

  /** Opens `connection`'s page on a fresh queue whose first row is shown already. */
  async function open(
    connection: Connection,
    params: { keep?: number; through?: string } = {},
  ): Promise<{ page: Page; queue: string; other: string }> {
    const queue = t.rt.createQueueName();
    const other = t.rt.createQueueName();
    await t.rt.get(queue).push({ n: 1, text: 'first' });
    const [kind, transport] = connection.split('-') as ['sse' | 'polling' | 'group', string?];
    const query = new URLSearchParams({
      other,
      ...(transport ? { transport } : {}),
      ...(params.keep ? { keep: String(params.keep) } : {}),
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    (page as Page & { errors: string[] }).errors = errors;
    await page.goto(`${params.through ?? t.url}/routed/${kind}/${major}/${queue}?${query}`);
    await page.evaluate(EVENT_COUNTER);
    await page.waitForFunction(pageScript.atLeast('#rows li.item', 1));
    return { page, queue, other };
  }

  async function finish(page: Page, ...queues: string[]): Promise<void> {
    for (const queue of queues) await t.rt.get(queue).complete();
    await page.waitForFunction(FINISHED, undefined, { timeout: 20_000 });
    // The last swaps settle (htmx restores their classes then).
    await page.waitForFunction("!document.querySelector('.htmx-settling, .htmx-added')");
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  }

  const connections: Connection[] = ['sse', 'polling', 'group-sse', 'group-polling'];

  it.each(connections)('%s: each item goes where its type routes it', async (connection) => {
    const { page, queue, other } = await open(connection);
    const rt = t.rt.get(queue);
    for (let n = 2; n <= 20; n++) {
      await rt.push({ n, text: `row ${n}` });
      await rt.push({ type: 'progress', percent: n * 5 });
    }
    await t.rt.get(other).push({ n: 1, text: 'elsewhere' });
    await finish(page, queue, other);
    expect(await page.evaluate(numbers('#rows li'))).toEqual(range(1, 20));
    expect(await page.locator('#bar > .bar').count()).toBe(1);
    expect(await page.locator('#bar').textContent()).toBe('100%');
    expect(await page.locator('#rows .bar').count()).toBe(0);
    if (connection.startsWith('group'))
      expect(await page.evaluate(numbers('#other li'))).toEqual([1]);
    await page.close();
  });

  it.each(connections)('%s: every action the job names, at its target', async (connection) => {
    const { page, queue, other } = await open(connection);
    // Morphing keeps the element itself (a replace would drop this property with it).
    await page.evaluate("document.getElementById('f2').kept = 'same element'");
    const rt = t.rt.get(queue);
    const place = (item: object, action: RtAction, target: string) =>
      rt.push(item, { action, target });
    const file = (id: string, name: string, state: string) => ({ type: 'file', id, name, state });
    // Pushed without waiting: one event or answer, whose later items act on what earlier ones
    // added or replaced (call order is push order).
    await Promise.all([
      place(file('f4', 'four', 'new'), 'append', '#files'),
      place(file('f0', 'zero', 'new'), 'prepend', '#files'),
      place(file('f1', 'one', 'done'), 'replace', '#f1'),
      place({ type: 'state', state: 'running' }, 'update', '#status'),
      place({}, 'remove', '#f3'),
      place(file('f1a', 'after one', 'new'), 'after', '#f1'),
      place(file('f1b', 'before one', 'new'), 'before', '#f1'),
      place(file('f2', 'two', 'morphed'), 'morph', '#f2'),
      place(file('f5', 'five', 'new'), 'after', '#f4'),
      place(file('f5', 'five', 'done'), 'replace', '#f5'),
      rt.push({ n: 2, text: 'last row' }),
    ]);
    await finish(page, queue, other);

    const files = await page.evaluate(
      "[...document.querySelectorAll('#files > li')].map((li) => [li.id, li.className, li.textContent])",
    );
    expect(files).toEqual([
      ['f0', 'file new', 'zero'],
      ['f1b', 'file new', 'before one'],
      ['f1', 'file done', 'one'],
      ['f1a', 'file new', 'after one'],
      ['f2', 'file morphed', 'two'],
      ['f4', 'file new', 'four'],
      ['f5', 'file done', 'five'],
    ]);
    expect(await page.evaluate("document.getElementById('f2').kept")).toBe('same element');
    expect(await page.locator('#status').innerHTML()).toBe('<b class="state">running</b>');
    expect(await page.evaluate(numbers('#rows li'))).toEqual([1, 2]);
    await page.close();
  });

  it.each(connections)('%s: keep=50 leaves the last 50 rows in the page', async (connection) => {
    const { page, queue, other } = await open(connection, { keep: 50 });
    const rt = t.rt.get(queue);
    for (let from = 2; from <= 300; from += 100) {
      // Bursts of pushes not waited for, and single rows: both are trimmed.
      await Promise.all(range(from, from + 98).map((n) => rt.push({ n, text: `row ${n}` })));
      await rt.push({ n: from + 99, text: `row ${from + 99}` });
    }
    await finish(page, queue, other);
    expect(await page.evaluate(numbers('#rows li'))).toEqual(range(252, 301));
    await page.close();
  });

  it('a burst of 5,000 rows arrives as few events, every row once and in order', async () => {
    const { page, queue } = await open('sse');
    const rt = t.rt.get(queue);
    await Promise.all(range(2, 5_001).map((n) => rt.push({ n, text: `row ${n}` })));
    await finish(page, queue);
    expect(await page.evaluate(numbers('#rows li'))).toEqual(range(1, 5_001));
    const events = (await page.evaluate('window.__events')) as number;
    process.stdout.write(`[routes] htmx ${major}: 5,000 rows in ${events} events\n`);
    expect(events).toBeLessThanOrEqual(100);
    await page.close();
  });

  it('5,000 progress updates: a few bar swaps, and the last value shown', async () => {
    const { page, queue } = await open('sse');
    await page.evaluate(`window.__barSwaps = 0;
      new MutationObserver(() => window.__barSwaps++).observe(document.getElementById('bar'), { childList: true });`);
    const rt = t.rt.get(queue);
    await Promise.all(range(1, 5_000).map((n) => rt.push({ type: 'progress', percent: n / 50 })));
    await finish(page, queue);
    expect(await page.locator('#bar').textContent()).toBe('100%');
    const [swaps, events] = (await page.evaluate(
      '[window.__barSwaps, window.__events]',
    )) as number[];
    process.stdout.write(`[routes] htmx ${major}: 5,000 updates, ${swaps} bar swaps\n`);
    expect(swaps).toBeGreaterThan(0);
    expect(swaps).toBeLessThanOrEqual(events!);
    expect(events).toBeLessThanOrEqual(100);
    await page.close();
  });

  it('a connection cut in the middle of a merged event resumes after the last one shown', async () => {
    const { page, queue } = await open('sse', { through: proxy.url });
    let streams = 0;
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.includes('/sse/')) streams++;
    });
    const rt = t.rt.get(queue);
    await Promise.all(range(2, 1_000).map((n) => rt.push({ n, text: `row ${n}` })));
    await page.waitForFunction(pageScript.atLeast('#rows li.item', 1_000));
    const eventsBefore = (await page.evaluate('window.__events')) as number;
    // The next event leaves the server whole and reaches the page cut after 200 bytes.
    proxy.cutNextChunkAt(200);
    await Promise.all(range(1_001, 3_000).map((n) => rt.push({ n, text: `row ${n}` })));
    await finish(page, queue);
    expect(proxy.cuts).toBe(1);
    expect(streams).toBe(1); // the reconnect
    expect(eventsBefore).toBeLessThan(1_000);
    expect(await page.evaluate(numbers('#rows li'))).toEqual(range(1, 3_000));
    await page.close();
  });
});
