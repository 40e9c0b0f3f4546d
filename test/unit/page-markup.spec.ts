import { escapeAttr } from '../../lib/http/poll-response.js';
import {
  pollingElement,
  scriptTags,
  sseElement,
  type PartialParams,
} from '../../lib/partials/page-markup.js';
import type { RtMode } from '../../lib/pluto-rt.constants.js';
import type { RtUrls } from '../../lib/rt-queue.service.js';
import { singleDivAttributes } from '../helpers/markup.js';

/** Signed URLs as RtQueueService.rtUrls makes them (the signature is not checked here). */
function urls(mode: RtMode = 'append', queue = 'rtq_q'): RtUrls {
  const query = `tpl=pluto_rt%2Flist_item&mode=${mode}&exp=2000000000&sig=SIG`;
  return {
    sse: `/pluto-rt/sse/${queue}?${query}`,
    poll: `/pluto-rt/poll/${queue}?${query}`,
    grant: { queue, template: 'pluto_rt/list_item', mode, format: 'html', expires: 2_000_000_000 },
    signature: 'SIG',
  };
}

const params: PartialParams = {
  queue: 'rtq_q',
  item_template: 'pluto_rt/list_item',
  target: '#results',
};

describe('scriptTags', () => {
  it('loads htmx, its SSE extension and pluto-rt.js from the route prefix with versioned URLs', () => {
    const html = scriptTags('rt/live');
    const sources = [...html.matchAll(/<script src="([^"]+)"><\/script>/g)].map((m) => m[1]);
    for (const src of sources)
      expect(src).toMatch(/^\/rt\/live\/assets\/[\w.-]+\.js\?v=[\w-]{12}$/);
    const htmx = sources.findIndex((src) => src!.startsWith('/rt/live/assets/htmx.min.js?'));
    const sse = sources.findIndex((src) => src!.startsWith('/rt/live/assets/htmx-ext-sse.js?'));
    // The extension registers itself with htmx, so htmx must load first.
    expect(htmx).toBeGreaterThanOrEqual(0);
    expect(sse).toBeGreaterThan(htmx);
    expect(sources.filter((src) => src!.startsWith('/rt/live/assets/pluto-rt.js?'))).toHaveLength(
      1,
    );
    expect(sources).toHaveLength(3);
    expect(html).not.toMatch(/https?:/);
  });
});

describe('sseElement', () => {
  it('connects to the signed SSE URL and swaps unnamed messages into the target', () => {
    const u = urls('reverse');
    const attrs = singleDivAttributes(sseElement({ ...params, id: 'live' }, u));
    expect(attrs.get('id')).toBe('live');
    expect(attrs.get('hx-ext')).toBe('sse');
    expect(attrs.get('sse-connect')).toBe(escapeAttr(u.sse));
    expect(attrs.get('sse-swap')).toBe('message');
    expect(attrs.get('sse-close')).toBe('close');
    expect(attrs.get('hx-target')).toBe('#results');
    expect(attrs.get('hx-swap')).toBe('afterbegin');
  });

  it('targets itself when no target is given, and has no id unless asked', () => {
    const attrs = singleDivAttributes(
      sseElement({ queue: 'rtq_q', item_template: 'pluto_rt/list_item' }, urls()),
    );
    expect(attrs.get('hx-target')).toBe('this');
    expect(attrs.has('id')).toBe(false);
    expect(attrs.get('hx-swap')).toBe('beforeend');
  });

  it('takes the swap from the signed mode, not from the params', () => {
    const attrs = singleDivAttributes(sseElement({ ...params, mode: 'append' }, urls('replace')));
    expect(attrs.get('hx-swap')).toBe('innerHTML');
  });

  it('escapes a hostile target and id', () => {
    const html = sseElement({ ...params, target: '"><script>x</script>', id: "a'b" }, urls());
    expect(html).not.toContain('<script>');
    expect(singleDivAttributes(html).get('id')).toBe('a&#39;b');
  });
});

describe('pollingElement', () => {
  it('polls the signed URL with its placement, on load and every interval', () => {
    const u = urls('append');
    const attrs = singleDivAttributes(
      pollingElement({ ...params, interval: '2s', count: 25, id: 'p1' }, u),
    );
    expect(attrs.get('id')).toBe('p1');
    expect(attrs.get('hx-trigger')).toBe('load, every 2s');
    expect(attrs.get('hx-target')).toBe('#results');
    expect(attrs.get('hx-swap')).toBe('beforeend');
    expect(attrs.has('hx-swap-oob')).toBe(false);
    const url = new URL(attrs.get('hx-get')!.replaceAll('&amp;', '&'), 'http://x');
    expect(url.pathname).toBe('/pluto-rt/poll/rtq_q');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tpl: 'pluto_rt/list_item',
      mode: 'append',
      exp: '2000000000',
      sig: 'SIG',
      el: 'p1',
      target: '#results',
      every: '2s',
      count: '25',
    });
  });

  it('defaults to every 1s, no count, and an id derived from its parameters', () => {
    const html = pollingElement(params, urls());
    const attrs = singleDivAttributes(html);
    expect(attrs.get('hx-trigger')).toBe('load, every 1s');
    const url = new URL(attrs.get('hx-get')!.replaceAll('&amp;', '&'), 'http://x');
    expect(url.searchParams.has('count')).toBe(false);
    expect(url.searchParams.get('el')).toBe(attrs.get('id'));
    expect(attrs.get('id')).toMatch(/^prt-[0-9a-f]{12}$/);
    // Stable for the same parameters, different for another queue or mode.
    expect(singleDivAttributes(pollingElement(params, urls())).get('id')).toBe(attrs.get('id'));
    expect(
      singleDivAttributes(
        pollingElement({ ...params, queue: 'rtq_r' }, urls('append', 'rtq_r')),
      ).get('id'),
    ).not.toBe(attrs.get('id'));
    expect(singleDivAttributes(pollingElement(params, urls('replace'))).get('id')).not.toBe(
      attrs.get('id'),
    );
  });

  it.each([
    ['append', 'beforeend'],
    ['reverse', 'afterbegin'],
    ['replace', 'innerHTML'],
  ] as const)('mode %s swaps %s', (mode, swap) => {
    expect(singleDivAttributes(pollingElement(params, urls(mode))).get('hx-swap')).toBe(swap);
  });

  it('needs a target', () => {
    expect(() =>
      pollingElement({ queue: 'rtq_q', item_template: 'pluto_rt/list_item' }, urls()),
    ).toThrow(/parameter target undefined: expected a CSS selector/);
  });
});
