import { groupSseElement } from '../../lib/markup/group-element.js';
import { memberComplete, memberGone } from '../../lib/markup/group-parts.js';
import { element, escapeAttr } from '../../lib/markup/html.js';
import { HTMX_DIALECTS, HTMX_MAJORS, type HtmxMajor } from '../../lib/markup/htmx-dialect.js';
import { notice, noticeInto } from '../../lib/markup/notice.js';
import { partialSwap } from '../../lib/markup/partial-swap.js';
import { firstPoller, pollerReplacement } from '../../lib/markup/poller.js';
import { scriptTags } from '../../lib/markup/script-tags.js';
import { sseElement } from '../../lib/markup/sse-element.js';
import { orderForMode, SWAP_BY_MODE } from '../../lib/markup/swap-mode.js';
import { singleDivAttributes } from '../helpers/markup.js';

/** The attributes that only one major understands: neither may leak into the other's markup. */
const ONLY = {
  2: ['hx-ext', 'sse-connect', 'sse-swap', 'sse-close'],
  4: ['hx-sse:connect', 'hx-sse:close', 'hx-status:4xx', 'hx-status:5xx'],
} as const;
const other = (major: HtmxMajor): HtmxMajor => (major === 2 ? 4 : 2);

const URL = '/pluto-rt/sse/rtq_q?tpl=pluto_rt%2Fitem&mode=append&exp=1&sig=S&el=live';

describe('escapeAttr and element', () => {
  it('escapes the five HTML-significant characters, & first', () => {
    expect(escapeAttr(`a&b"c<d>e'f`)).toBe('a&amp;b&quot;c&lt;d&gt;e&#39;f');
    expect(escapeAttr('&quot;')).toBe('&amp;quot;');
    expect(escapeAttr('é 😀 /p?x=y%2F')).toBe('é 😀 /p?x=y%2F');
  });

  it('writes attributes in order, escaped, and the content as it is', () => {
    expect(
      element(
        'p',
        [
          ['a', '1'],
          ['b', '"<x>'],
        ],
        '<b>hi</b>',
      ),
    ).toBe('<p a="1" b="&quot;&lt;x&gt;"><b>hi</b></p>');
  });
});

describe('modes', () => {
  it('swap beforeend, afterbegin and innerHTML', () => {
    expect(SWAP_BY_MODE).toEqual({
      append: 'beforeend',
      reverse: 'afterbegin',
      replace: 'innerHTML',
    });
  });

  it('order an answer: push order, newest first (input untouched), only the latest', () => {
    const items = [1, 2, 3];
    expect(orderForMode(items, 'append')).toEqual([1, 2, 3]);
    expect(orderForMode(items, 'reverse')).toEqual([3, 2, 1]);
    expect(items).toEqual([1, 2, 3]);
    expect(orderForMode(items, 'replace')).toEqual([3]);
    expect(orderForMode([], 'replace')).toEqual([]);
  });
});

describe('the dialect table', () => {
  it('htmx 2 loads htmx 2 then htmx-ext-sse; htmx 4 loads htmx 4 then its hx-sse', () => {
    expect(HTMX_DIALECTS[2].scripts).toEqual([
      'htmx.min.js',
      'htmx-ext-sse.js',
      'idiomorph.min.js',
    ]);
    expect(HTMX_DIALECTS[4].scripts).toEqual(['htmx4.min.js', 'htmx4-sse.js']);
  });

  it('htmx 2 streams with hx-ext="sse" + sse-*; htmx 4 with hx-sse:connect/close only', () => {
    expect(HTMX_DIALECTS[2].sse('/u')).toEqual([
      ['hx-ext', 'sse'],
      ['sse-connect', '/u'],
      ['sse-swap', 'message'],
      ['sse-close', 'close'],
    ]);
    expect(HTMX_DIALECTS[4].sse('/u')).toEqual([
      ['hx-sse:connect', '/u'],
      ['hx-sse:close', 'close'],
    ]);
  });

  it('only htmx 4, which swaps error bodies, is told not to', () => {
    expect(HTMX_DIALECTS[2].noErrorSwap).toEqual([]);
    expect(HTMX_DIALECTS[4].noErrorSwap).toEqual([
      ['hx-status:4xx', 'swap:none'],
      ['hx-status:5xx', 'swap:none'],
    ]);
  });
});

describe.each(HTMX_MAJORS)('markup for htmx %i', (major) => {
  const foreign = ONLY[other(major)];

  it('sseElement: connects to the URL, swaps into the target as the mode says', () => {
    const html = sseElement(major, { id: 'live', url: URL, target: '#results', mode: 'reverse' });
    const attrs = singleDivAttributes(html);
    expect(attrs.get('id')).toBe('live');
    expect(attrs.get('class')).toBe('pluto-rt-sse');
    expect(attrs.get(major === 2 ? 'sse-connect' : 'hx-sse:connect')).toBe(escapeAttr(URL));
    expect(attrs.get(major === 2 ? 'sse-close' : 'hx-sse:close')).toBe('close');
    expect(attrs.get('hx-target')).toBe('#results');
    expect(attrs.get('hx-swap')).toBe('afterbegin');
    for (const name of ONLY[major]) expect(attrs.has(name)).toBe(true);
    for (const name of foreign) expect(attrs.has(name)).toBe(false);
  });

  it('sseElement: escapes a hostile target', () => {
    const html = sseElement(major, { id: 'x', url: '/u', target: '"><script>', mode: 'append' });
    expect(html).not.toContain('<script>');
    expect(singleDivAttributes(html).get('hx-target')).toBe('&quot;&gt;&lt;script&gt;');
  });

  it('groupSseElement: one connection that swaps nothing into itself', () => {
    const attrs = singleDivAttributes(groupSseElement(major, { id: 'dash', url: URL, routes: [] }));
    expect(attrs.get('id')).toBe('dash');
    expect(attrs.get('class')).toBe('pluto-rt-sse pluto-rt-group');
    expect(attrs.get('hx-swap')).toBe('none');
    expect(attrs.has('hx-target')).toBe(false);
    expect(attrs.get(major === 2 ? 'sse-connect' : 'hx-sse:connect')).toBe(escapeAttr(URL));
    for (const name of foreign) expect(attrs.has(name)).toBe(false);
  });

  describe('pollers', () => {
    const single = { el: 'p1', target: '#results', every: '500ms', hx: major };
    const group = { el: 'g1', every: '2s', hx: major };

    it('the first polls on load and every interval, into its target', () => {
      const attrs = singleDivAttributes(firstPoller(single, 'reverse', '/poll?a=1&b=2'));
      expect(attrs.get('class')).toBe('pluto-rt-poller');
      expect(attrs.get('hx-get')).toBe('/poll?a=1&amp;b=2');
      expect(attrs.get('hx-trigger')).toBe('load, every 500ms');
      // htmx 4 would queue a tick that fires while a poll is out, and send it from a replaced poller.
      expect(attrs.get('hx-sync')).toBe('this:drop');
      expect(attrs.get('hx-target')).toBe('#results');
      expect(attrs.get('hx-swap')).toBe('afterbegin');
      expect(attrs.has('hx-swap-oob')).toBe(false);
      expect(attrs.has('hx-status:4xx')).toBe(major === 4);
      for (const name of foreign) expect(attrs.has(name)).toBe(false);
    });

    it("a queue's answer replaces it out of band, polling every interval", () => {
      const attrs = singleDivAttributes(pollerReplacement(single, 'append', { next: '/n' }));
      expect(attrs.get('hx-swap-oob')).toBe('true');
      expect(attrs.get('hx-trigger')).toBe('every 500ms');
      expect(attrs.get('hx-swap')).toBe('beforeend');
    });

    it("a group's poller swaps nothing itself and comes back as a trailing partial", () => {
      expect(singleDivAttributes(firstPoller(group, 'append', '/g')).get('hx-swap')).toBe('none');
      const html = pollerReplacement(group, 'append', { next: '/g2' });
      const match = /^<hx-partial hx-target="#g1" hx-swap="outerHTML">(.*)<\/hx-partial>$/.exec(
        html,
      );
      expect(match).not.toBeNull();
      const attrs = singleDivAttributes(match![1]!);
      expect(attrs.get('id')).toBe('g1');
      expect(attrs.get('hx-get')).toBe('/g2');
      expect(attrs.get('hx-trigger')).toBe('every 2s');
      expect(attrs.get('hx-sync')).toBe('this:drop');
      expect(attrs.get('hx-swap')).toBe('none');
      expect(attrs.has('hx-target')).toBe(false);
      expect(attrs.has('hx-swap-oob')).toBe(false);
    });

    it('without a next URL it is inert; stopped for a reason, it says why', () => {
      const done = pollerReplacement(single, 'append', {});
      expect(done).toBe('<div id="p1" class="pluto-rt-poller" hx-swap-oob="true"></div>');
      const expired = pollerReplacement(single, 'append', { end: 'expired' });
      expect(expired).not.toMatch(/hx-get|hx-trigger/);
      expect(expired).toContain('<p class="pluto-rt-notice" role="status" data-reason="expired">');
      expect(pollerReplacement(group, 'append', { end: 'gone' })).toContain('data-reason="gone"');
    });

    it('escapes hostile placement values', () => {
      const hostile = { el: 'x" onclick="a()', target: "#a'><script>", every: '1s"', hx: major };
      const html = pollerReplacement(hostile, 'append', { next: '/p?a="b"' });
      expect(html).not.toMatch(/<script>|" onclick/);
      expect(singleDivAttributes(html).get('hx-get')).toBe('/p?a=&quot;b&quot;');
    });
  });

  it('scriptTags: the style, then htmx and its SSE extension, then the helper, all versioned', () => {
    const html = scriptTags('rt/live', major);
    expect(html.split('\n')[0]).toMatch(
      /^<link rel="stylesheet" href="\/rt\/live\/assets\/pluto-rt\.css\?v=[\w-]{12}">$/,
    );
    const sources = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]!);
    expect(sources.map((src) => src.replace(/\?v=[\w-]{12}$/, ''))).toEqual([
      ...HTMX_DIALECTS[major].scripts.map((name) => `/rt/live/assets/${name}`),
      '/rt/live/assets/pluto-rt.js',
    ]);
    expect(html).not.toMatch(/https?:/);
  });
});

describe('scriptTags without htmx', () => {
  it('writes only the style and the helper (the page loads htmx itself)', () => {
    const html = scriptTags('pluto-rt', false);
    expect(html).toContain('/pluto-rt/assets/pluto-rt.css?v=');
    expect([...html.matchAll(/<script src="([^"?]+)/g)].map((m) => m[1])).toEqual([
      '/pluto-rt/assets/pluto-rt.js',
    ]);
  });
});

describe('partials and notices (the same in both majors)', () => {
  it('partialSwap wraps HTML for its target and swap', () => {
    expect(partialSwap('#a', 'beforeend', '<tr><td>1</td></tr>')).toBe(
      '<hx-partial hx-target="#a" hx-swap="beforeend"><tr><td>1</td></tr></hx-partial>',
    );
  });

  it('a group member: the gone notice into its target as its mode says, a comment when complete', () => {
    expect(memberGone({ target: '#list', mode: 'reverse' })).toMatch(
      /^<hx-partial hx-target="#list" hx-swap="afterbegin"><p class="pluto-rt-notice" [^>]*data-reason="gone">/,
    );
    expect(memberComplete(3)).toBe('<!-- pluto-rt: queue 3 complete -->');
  });

  it.each(['expired', 'gone', 'refused'] as const)(
    'the %s notice says it in one short line',
    (reason) => {
      const html = notice(reason);
      expect(html).toMatch(
        new RegExp(
          `^<p class="pluto-rt-notice" role="status" data-reason="${reason}">[^<]{20,80}</p>$`,
        ),
      );
      expect(noticeInto('live', reason)).toBe(
        `<hx-partial hx-target="#live" hx-swap="innerHTML">${html}</hx-partial>`,
      );
    },
  );
});
