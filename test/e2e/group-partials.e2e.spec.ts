import { Controller, Get, Inject, Query, Render } from '@nestjs/common';
import request from 'supertest';
import { RtQueueService } from '../../lib/index.js';
import { elements, param, type Attrs } from '../helpers/markup.js';
import { RawSseClient } from '../helpers/sse-client.js';
import { shownIn } from '../helpers/group.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

@Controller('view')
class ViewsController {
  constructor(@Inject(RtQueueService) private readonly rt: RtQueueService) {}

  @Get('group')
  @Render('pages/group-page')
  group(@Query('transport') transport?: string) {
    const q = () => this.rt.createQueueName();
    return {
      transport,
      first: q(),
      jobs: [
        { slot: 'job-a', target: '#job-a', queue: q() },
        { slot: 'job-b', target: '#job-b', queue: q() },
      ],
    };
  }

  /** `page` sets the page's major (plutoRtHtmx), `include` the one the includes pass. */
  @Get('majors')
  @Render('pages/majors-page')
  majors(
    @Query('page') page?: string,
    @Query('include') include?: string,
    @Query('scripts') scripts?: string,
  ) {
    return {
      queueName: this.rt.createQueueName(),
      ...(page ? { plutoRtHtmx: Number(page) } : {}),
      includeMajor: include ? Number(include) : undefined,
      scriptsMajor: scripts === 'false' ? false : scripts ? Number(scripts) : undefined,
    };
  }

  @Get('mistakes')
  @Render('pages/group-mistakes')
  mistakes() {
    const queueName = this.rt.createQueueName();
    return { queueName, many: Array.from({ length: 17 }, () => this.rt.createQueueName()) };
  }
}

/** The file names the page's head loads from the asset route, in order. */
function headFiles(html: string): string[] {
  const head = html.slice(0, html.indexOf('</head>'));
  return [
    ...elements(head, 'link').map((link) => link.href!),
    ...elements(head, 'script').map((script) => script.src!),
  ].map((src) => /^\/pluto-rt\/assets\/([\w.-]+)\?v=/.exec(src)![1]!);
}

function byId(html: string, id: string): Attrs {
  const found = elements(html, 'div').find((div) => div.id === id);
  if (!found) throw new Error(`no div#${id} in ${html}`);
  return found;
}

/**
 * Boots an app for the tests of one describe block. hbs partials are process-wide (the
 * last app initialised renders them), so the blocks run one app at a time.
 */
function useApp(options: { htmx?: 2 | 4 } = {}): { readonly app: TestApp } {
  let app: TestApp | undefined;
  beforeAll(async () => {
    app = await startTestApp({ mvc: true, controllers: [ViewsController], options });
  });
  afterAll(() => app?.close());
  return {
    get app() {
      return app!;
    },
  };
}

describe('partials for either htmx major, and the group partial (e2e)', () => {
  const page = async (app: TestApp, path: string) => {
    const res = await request(app.url).get(path);
    expect(res.status).toBe(200);
    return res.text;
  };

  describe('with the module default, htmx 2', () => {
    const it2 = useApp();

    it('every partial writes htmx 2: its files, sse-* attributes, hx=2 for pollers', async () => {
      const html = await page(it2.app, '/view/majors');
      expect(headFiles(html)).toEqual([
        'pluto-rt.css',
        'htmx.min.js',
        'htmx-ext-sse.js',
        'idiomorph.min.js',
        'pluto-rt.js',
      ]);
      expect(byId(html, 'live')['sse-connect']).toMatch(/^\/pluto-rt\/sse\//);
      expect(byId(html, 'group')['sse-connect']).toMatch(/^\/pluto-rt\/group\/sse\?/);
      expect(param(byId(html, 'poller')['hx-get']!, 'hx')).toBe('2');
      expect(html).not.toMatch(/hx-sse:|hx-status:/);
    });

    it("a page's own major (plutoRtHtmx in the view context) wins over the module's", async () => {
      const html = await page(it2.app, '/view/majors?page=4');
      expect(headFiles(html)).toContain('htmx4.min.js');
      expect(byId(html, 'live')['hx-sse:connect']).toBeDefined();
      expect(byId(html, 'group')['hx-sse:connect']).toBeDefined();
      expect(param(byId(html, 'poller')['hx-get']!, 'hx')).toBe('4');
    });

    it("an include's htmx= wins over the page's", async () => {
      const html = await page(it2.app, '/view/majors?page=4&include=2&scripts=2');
      expect(headFiles(html)).toContain('htmx.min.js');
      expect(byId(html, 'live')['sse-connect']).toBeDefined();
      expect(byId(html, 'group')['sse-connect']).toBeDefined();
    });

    it('a major that is neither 2 nor 4 is a mistake shown in the page', async () => {
      const html = await page(it2.app, '/view/mistakes');
      expect(html).toMatch(
        /<section id="bad-major"><div class="pluto-rt-error" role="alert">pluto_rt\/sse: parameter htmx 3: expected 2 or 4<\/div><\/section>/,
      );
    });

    it('pluto_rt/group renders its block, then one SSE element for every queue declared in it (also in an each)', async () => {
      const html = await page(it2.app, '/view/group');
      expect(html).toMatch(
        /<ul id="first"><\/ul>[\s\S]*<div id="job-a"><\/div>[\s\S]*<div id="job-b"><\/div>/,
      );
      const el = byId(html, 'dash');
      expect(el).toMatchObject({
        class: 'pluto-rt-sse pluto-rt-group',
        'hx-ext': 'sse',
        'hx-swap': 'none',
      });
      const url = el['sse-connect']!;
      const q = new URL(url, 'http://x').searchParams.getAll('q');
      expect(q.map((member) => member.replace(/^rtq_[\w-]+/, 'Q'))).toEqual([
        'Q:pluto_rt/list_item:append:#first',
        'Q:pluto_rt/progress:replace:#job-a',
        'Q:pluto_rt/progress:replace:#job-b',
      ]);
      expect(param(url, 'el')).toBe('dash');
      // The element comes after the containers its queues fill.
      expect(html.indexOf('id="dash"')).toBeGreaterThan(html.indexOf('id="job-b"'));
    });

    it("pluto_rt/group's URL streams the group: each queue into its container", async () => {
      const html = await page(it2.app, '/view/group');
      const url = byId(html, 'dash')['sse-connect']!;
      const [first, jobA] = new URL(url, 'http://x').searchParams
        .getAll('q')
        .map((m) => m.split(':')[0]!);
      await it2.app.rt.get(first!).push({ n: 1, text: 'one' });
      await it2.app.rt.get(jobA!).progress(50);
      const client = await RawSseClient.open(it2.app.url + url);
      try {
        // Both histories, ready at once, in one event.
        await client.untilItems(1);
        expect(client.items.flatMap((block) => shownIn(block.data!).map((s) => s.target))).toEqual([
          '#first',
          '#job-a',
        ]);
      } finally {
        client.destroy();
      }
    });

    it("pluto_rt/group says what is wrong, where it is wrong, keeps the view's markup, and connects nothing", async () => {
      const html = await page(it2.app, '/view/mistakes');
      const section = (id: string) =>
        new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html)![1]!;
      const errors = (id: string) =>
        [...section(id).matchAll(/<div class="pluto-rt-error" role="alert">([^<]*)<\/div>/g)].map(
          (m) => m[1],
        );
      expect(errors('bad-member')).toEqual([
        'pluto_rt/queue: parameter target &quot;ul li&quot;: expected a simple CSS selector such as &quot;#results&quot;',
        'pluto_rt/group: not connected: a queue of the group has a wrong parameter',
      ]);
      expect(errors('outside')).toEqual([
        'pluto_rt/queue: it belongs inside {{#&gt; pluto_rt/group}}',
      ]);
      expect(errors('empty')).toEqual([
        'pluto_rt/group: a group has 1 to 16 {{&gt; pluto_rt/queue}} in its block, got 0',
      ]);
      expect(section('empty')).toContain('<p>nothing declared</p>');
      expect(errors('too-many')).toEqual([
        'pluto_rt/group: a group has 1 to 16 {{&gt; pluto_rt/queue}} in its block, got 17',
      ]);
      expect(errors('bad-transport')).toEqual([
        'pluto_rt/group: parameter transport &quot;websocket&quot;: expected &quot;sse&quot; or &quot;polling&quot;',
      ]);
      expect(html).not.toMatch(/sse-connect|hx-get/);
    });
  });

  describe('with the module option htmx: 4', () => {
    const it4 = useApp({ htmx: 4 });

    it('every partial writes htmx 4: its files, hx-sse:* attributes, hx-status, hx=4 for pollers', async () => {
      const html = await page(it4.app, '/view/majors');
      expect(headFiles(html)).toEqual([
        'pluto-rt.css',
        'htmx4.min.js',
        'htmx4-sse.js',
        'pluto-rt.js',
      ]);
      expect(byId(html, 'live')['hx-sse:connect']).toMatch(/^\/pluto-rt\/sse\//);
      expect(byId(html, 'group')['hx-sse:connect']).toMatch(/^\/pluto-rt\/group\/sse\?/);
      expect(byId(html, 'poller')['hx-status:5xx']).toBe('swap:none');
      expect(param(byId(html, 'poller')['hx-get']!, 'hx')).toBe('4');
      expect(html).not.toMatch(/sse-connect|sse-swap|sse-close|hx-ext/);
    });

    it("a page's own major wins over the module's here too", async () => {
      const html = await page(it4.app, '/view/majors?page=2');
      expect(headFiles(html)).toContain('htmx.min.js');
      expect(byId(html, 'group')['sse-connect']).toBeDefined();
    });

    it('htmx=false on the scripts partial leaves htmx out: a page that loads its own', async () => {
      const html = await page(it4.app, '/view/majors?scripts=false');
      expect(headFiles(html)).toEqual(['pluto-rt.css', 'pluto-rt.js']);
      // The other partials still write the module's major.
      expect(byId(html, 'live')['hx-sse:connect']).toBeDefined();
    });

    it('pluto_rt/group with transport="polling" writes one poller for all its queues', async () => {
      const html = await page(it4.app, '/view/group?transport=polling');
      const poller = byId(html, 'dash');
      expect(poller).toMatchObject({
        class: 'pluto-rt-poller',
        'hx-trigger': 'load, every 2s',
        'hx-swap': 'none',
        'hx-status:4xx': 'swap:none',
      });
      expect(poller['hx-target']).toBeUndefined();
      const url = poller['hx-get']!;
      expect(url).toMatch(/^\/pluto-rt\/group\/poll\?/);
      expect([
        param(url, 'el'),
        param(url, 'every'),
        param(url, 'hx'),
        param(url, 'count'),
      ]).toEqual(['dash', '2s', '4', '10']);
      expect(new URL(url, 'http://x').searchParams.getAll('q')).toHaveLength(3);
      expect((await request(it4.app.url).get(url).set('HX-Request', 'true')).status).toBe(204);
    });
  });
});
