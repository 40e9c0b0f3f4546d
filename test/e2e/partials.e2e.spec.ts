import { Controller, Get, Inject, Render } from '@nestjs/common';
import hbs from 'hbs';
import request from 'supertest';
import { RtQueueService } from '../../lib/index.js';
import { elements, param } from '../helpers/markup.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** Renders the fixture pages for a fresh queue that already holds one item. */
@Controller('demo')
class DemoController {
  constructor(@Inject(RtQueueService) private readonly rt: RtQueueService) {}

  @Get('sse')
  @Render('pages/sse-page')
  sse() {
    return this.freshQueue();
  }

  @Get('polling')
  @Render('pages/polling-page')
  polling() {
    return this.freshQueue();
  }

  @Get('polling-minutes')
  @Render('pages/polling-minutes')
  pollingMinutes() {
    return this.freshQueue();
  }

  @Get('polling-nested-target')
  @Render('pages/polling-nested-target')
  pollingNestedTarget() {
    return this.freshQueue();
  }

  private async freshQueue(): Promise<{ queueName: string }> {
    const queueName = this.rt.createQueueName();
    await this.rt.get(queueName).push({ n: 0, text: 'started' });
    return { queueName };
  }
}

/** Reads an SSE response frame by frame, skipping comment-only frames (keepalives). */
function frameReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    /** The next event frame, or undefined once the stream ends. */
    async next(): Promise<string | undefined> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (frame.split('\n').every((line) => line.startsWith(':'))) continue;
          return frame;
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    async rest(): Promise<string[]> {
      const frames: string[] = [];
      for (let frame = await this.next(); frame !== undefined; frame = await this.next())
        frames.push(frame);
      return frames;
    },
  };
}

/**
 * Checks that the page's script tags load htmx, then its SSE extension, and the module's
 * helper (pluto-rt.js, which keeps SSE reconnects resuming), from the asset route.
 */
async function expectScripts(t: TestApp, html: string, prefix: string) {
  const sources = elements(html, 'script').map((script) => script.src!);
  const files = sources.map(
    (src) => new RegExp(`^/${prefix}/assets/([\\w.-]+)\\?v=[\\w-]+$`).exec(src)?.[1],
  );
  expect(files).not.toContain(undefined);
  expect([...files].sort()).toEqual([
    'htmx-ext-sse.js',
    'htmx.min.js',
    'idiomorph.min.js',
    'pluto-rt.js',
  ]);
  // The extension registers itself with htmx: htmx must load first.
  expect(files.indexOf('htmx.min.js')).toBeLessThan(files.indexOf('htmx-ext-sse.js'));
  for (const src of sources) {
    const res = await request(t.url).get(src).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    // The ?v= version is the ETag: the immutable cache is safe.
    expect(res.headers.etag).toBe(`"${param(src, 'v')}"`);
  }
}

describe('hbs partials', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ mvc: true, controllers: [DemoController] });
  });
  afterAll(() => t.close());

  describe('pluto_rt/scripts', () => {
    it('writes script tags for htmx, its SSE extension and pluto-rt.js to the asset route, and they answer 200', async () => {
      const page = await request(t.url).get('/demo/sse');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      const head = page.text.slice(0, page.text.indexOf('</head>'));
      await expectScripts(t, head, 'pluto-rt');
    });
  });

  describe('pluto_rt/sse', () => {
    async function sseElementOf(path: string) {
      const page = await request(t.url).get(path);
      expect(page.status).toBe(200);
      const queueName = /<h1>Queue ([\w-]+)<\/h1>/.exec(page.text)?.[1];
      expect(queueName).toBeDefined();
      const found = elements(page.text, 'div').filter((div) => div['hx-ext'] === 'sse');
      expect(found).toHaveLength(1);
      return { queueName: queueName!, el: found[0]! };
    }

    it('writes the htmx SSE attributes for reverse mode', async () => {
      const { queueName, el } = await sseElementOf('/demo/sse');
      expect(el['hx-ext']).toBe('sse');
      expect(el['sse-swap']).toBe('message');
      expect(el['sse-close']).toBe('close');
      expect(el['hx-target']).toBe('#results');
      expect(el['hx-swap']).toBe('afterbegin');
      const url = el['sse-connect']!;
      expect(url.startsWith(`/pluto-rt/sse/${queueName}?`)).toBe(true);
      expect(param(url, 'tpl')).toBe('pluto_rt/list_item');
      expect(param(url, 'mode')).toBe('reverse');
      expect(Number(param(url, 'exp'))).toBeGreaterThan(Date.now() / 1000);
      expect(param(url, 'sig')).toMatch(/^[\w-]{20,}$/);
    });

    it('its signed sse-connect URL streams the queue: first frame, live items, then close', async () => {
      const { queueName, el } = await sseElementOf('/demo/sse');
      const abort = new AbortController();
      const res = await fetch(t.url + el['sse-connect']!, {
        signal: abort.signal,
        headers: { Accept: 'text/event-stream' },
      });
      try {
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
        const frames = frameReader(res.body!);
        // The stream opens with the reconnect delay, carrying the cursor (the start) as id.
        expect(await frames.next()).toMatch(/^\n?id: 0-0\nretry: 1000\n: open$/);
        const first = await frames.next();
        expect(first).toMatch(/^id: \d+-\d+$/m);
        expect(first).toContain('data: <li class="item" data-n="0">started</li>');
        expect(first).not.toMatch(/^event:/m);

        await t.rt.get(queueName).push({ n: 1, text: '<i>live</i>' });
        await t.rt.get(queueName).complete();
        const rest = await frames.rest();
        expect(rest).toHaveLength(2);
        expect(rest[0]).toContain('data: <li class="item" data-n="1">&lt;i&gt;live&lt;/i&gt;</li>');
        expect(rest[rest.length - 1]).toMatch(/^event: close$/m);
      } finally {
        abort.abort();
      }
    });

    it('a tampered sse-connect URL from the page is refused: in its place for the element, 403 for anyone else', async () => {
      const { el } = await sseElementOf('/demo/sse');
      const tampered = el['sse-connect']!.replace('mode=reverse', 'mode=append');
      expect(param(tampered, 'el')).toBe(el.id);
      const answer = await request(t.url).get(tampered).buffer(true);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(answer.text).toContain(`hx-target="#${el.id}"`);
      expect(answer.text).toContain('data-reason="refused"');
      expect(answer.text).toContain('event: close\ndata: refused');
      const plain = tampered.replace(/&el=[^&]*/, '');
      expect((await request(t.url).get(plain)).status).toBe(403);
    });
  });

  describe('pluto_rt/polling', () => {
    async function pollersOf() {
      const page = await request(t.url).get('/demo/polling');
      expect(page.status).toBe(200);
      const pollers = elements(page.text, 'div').filter((div) => div.class === 'pluto-rt-poller');
      expect(pollers).toHaveLength(2);
      await expectScripts(t, page.text, 'pluto-rt');
      return { list: pollers[0]!, bar: pollers[1]! };
    }

    it('writes a poller that triggers on load and every interval, with target and swap', async () => {
      const { list } = await pollersOf();
      expect(list.id).toBe('poller');
      expect(list['hx-trigger']).toContain('load');
      expect(list['hx-trigger']).toContain('every 500ms');
      expect(list['hx-target']).toBe('#results');
      expect(list['hx-swap']).toBe('beforeend');
      expect(list['hx-swap-oob']).toBeUndefined();
      const url = list['hx-get']!;
      expect(url).toMatch(/^\/pluto-rt\/poll\/rtq_[\w-]{22}\?/);
      expect(param(url, 'tpl')).toBe('pluto_rt/list_item');
      expect(param(url, 'mode')).toBe('append');
      expect(param(url, 'el')).toBe('poller');
      expect(param(url, 'target')).toBe('#results');
      expect(param(url, 'every')).toBe('500ms');
      expect(param(url, 'count')).toBe('2');
    });

    it('its hx-get answers 200 with the items and a replacement for the same element, then 204', async () => {
      const { list } = await pollersOf();
      const first = await request(t.url).get(list['hx-get']!);
      expect(first.status).toBe(200);
      expect(first.text).toContain('<li class="item" data-n="0">started</li>');
      const [replacement] = elements(first.text, 'div').filter(
        (div) => div.class === 'pluto-rt-poller',
      );
      // Same id, so htmx swaps it over the page's poller out of band.
      expect(replacement!.id).toBe(list.id);
      expect(replacement!['hx-swap-oob']).toBe('true');
      expect(replacement!['hx-target']).toBe('#results');
      expect(replacement!['hx-swap']).toBe('beforeend');
      expect(replacement!['hx-trigger']).toBe('every 500ms');
      const next = await request(t.url).get(replacement!['hx-get']!);
      expect(next.status).toBe(204);
    });

    it('a poller without an id gets a derived one, and replace mode swaps innerHTML', async () => {
      const { list, bar } = await pollersOf();
      expect(bar.id).toMatch(/^[A-Za-z][\w-]*$/);
      expect(bar.id).not.toBe(list.id);
      expect(bar['hx-target']).toBe('#bar');
      expect(bar['hx-swap']).toBe('innerHTML');
      expect(bar['hx-trigger']).toBe('load, every 1s');
      const res = await request(t.url).get(bar['hx-get']!);
      expect(res.status).toBe(200);
      expect(res.text).toContain('class="bar"');
      const [replacement] = elements(res.text, 'div').filter(
        (div) => div.class === 'pluto-rt-poller',
      );
      expect(replacement!.id).toBe(bar.id);
    });

    // htmx accepts `every 1m` and any CSS selector as hx-target: a page must never carry a
    // poller that its own endpoint refuses (it would show nothing and say nothing).
    it('renders a poller with an interval in minutes that its endpoint accepts', async () => {
      const page = await request(t.url).get('/demo/polling-minutes');
      expect(page.status).toBe(200);
      const [poller] = elements(page.text, 'div').filter((div) => div.class === 'pluto-rt-poller');
      expect(poller!['hx-trigger']).toBe('load, every 1m');
      const res = await request(t.url).get(poller!['hx-get']!);
      expect(`${res.status} ${res.text.slice(0, 100)}`).toMatch(/^200 /);
    });

    it("shows a template author's mistake in the page, naming the parameter, instead of a poller (not a 500)", async () => {
      const page = await request(t.url).get('/demo/polling-nested-target');
      expect(page.status).toBe(200);
      expect(elements(page.text, 'div').filter((div) => div.class === 'pluto-rt-poller')).toEqual(
        [],
      );
      const [error] = elements(page.text, 'div').filter((div) => div.class === 'pluto-rt-error');
      expect(error).toBeDefined();
      const text = /<div class="pluto-rt-error"[^>]*>([^<]*)<\/div>/.exec(page.text)![1]!;
      expect(text).toContain('pluto_rt/polling');
      expect(text).toContain('parameter target');
      expect(text).toContain('&quot;#panel .results&quot;');
    });

    it('the poller stops with 286 once the queue completes', async () => {
      const { list } = await pollersOf();
      const queueName = /\/poll\/([\w-]+)\?/.exec(list['hx-get']!)![1]!;
      await t.rt.get(queueName).complete();
      const res = await request(t.url).get(list['hx-get']!);
      expect(res.status).toBe(286);
      const [inert] = elements(res.text, 'div').filter((div) => div.class === 'pluto-rt-poller');
      expect(inert!.id).toBe('poller');
      expect(inert!['hx-get']).toBeUndefined();
    });
  });
});

describe('hbs partials under a custom route prefix', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ mvc: true, controllers: [DemoController], routePrefix: 'live/rt' });
  });
  afterAll(() => t.close());

  it('scripts, sse-connect and hx-get use the prefix, and answer', async () => {
    const ssePage = await request(t.url).get('/demo/sse');
    await expectScripts(t, ssePage.text, 'live/rt');
    const [sse] = elements(ssePage.text, 'div').filter((div) => div['hx-ext'] === 'sse');
    expect(sse!['sse-connect']).toMatch(/^\/live\/rt\/sse\//);

    const pollPage = await request(t.url).get('/demo/polling');
    const [poller] = elements(pollPage.text, 'div').filter(
      (div) => div.class === 'pluto-rt-poller',
    );
    expect(poller!['hx-get']).toMatch(/^\/live\/rt\/poll\//);
    const res = await request(t.url).get(poller!['hx-get']!);
    expect(res.status).toBe(200);
    const [replacement] = elements(res.text, 'div').filter(
      (div) => div.class === 'pluto-rt-poller',
    );
    expect(replacement!['hx-get']).toMatch(/^\/live\/rt\/poll\//);
  });
});

describe('partial mistakes in the log', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ mvc: true });
  });
  afterAll(() => t.close());

  // A view that passes a queue name from the URL gets a new bad value per request: keeping
  // (and logging) each one grew the heap and the log without bound.
  it('logs a mistake once per partial and parameter, however many values it comes with', () => {
    const errors: string[] = [];
    t.app.useLogger({
      log: () => undefined,
      warn: () => undefined,
      error: (m) => errors.push(String(m)),
    });
    try {
      const view = hbs.handlebars.compile(
        '{{> pluto_rt/sse queue=queue item_template="pluto_rt/list_item"}}{{> pluto_rt/sse queue="ok_name" item_template="pluto_rt/none"}}',
      );
      for (let i = 0; i < 2_000; i++) {
        const html = view({ queue: `bad name ${i}` });
        expect(html).toContain(
          `parameter queue: Invalid queue name: expected 1-200 of [A-Za-z0-9_-], got &quot;bad name ${i}&quot;`,
        );
      }
      expect(errors).toEqual([
        expect.stringMatching(
          /^Partial pluto_rt\/sse: parameter queue: Invalid queue name.*"bad name 0"/,
        ),
        expect.stringMatching(
          /^Partial pluto_rt\/sse: parameter item_template: Unknown item template "pluto_rt\/none"/,
        ),
      ]);
    } finally {
      t.app.useLogger(['error', 'warn']);
    }
  });
});
