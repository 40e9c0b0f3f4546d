import {
  escapeAttr,
  lastId,
  orderForMode,
  pollerElement,
  SWAP_BY_MODE,
} from '../../lib/http/poll-response.js';
import { RtEntry } from '../../lib/store/rt-entry.js';
import { singleDivAttributes } from '../helpers/markup.js';

const placement = { el: 'poller-1', target: '#results', every: '500ms' };

describe('escapeAttr', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeAttr(`a&b"c<d>e'f`)).toBe('a&amp;b&quot;c&lt;d&gt;e&#39;f');
  });

  it('escapes & first, so entities are not double-decoded', () => {
    expect(escapeAttr('&quot;')).toBe('&amp;quot;');
  });

  it('leaves other text alone', () => {
    expect(escapeAttr('/pluto-rt/poll/q?tpl=x%2Fy&mode=append')).toBe(
      '/pluto-rt/poll/q?tpl=x%2Fy&amp;mode=append',
    );
    expect(escapeAttr('é 😀')).toBe('é 😀');
  });
});

describe('orderForMode', () => {
  const items = [1, 2, 3];

  it('append keeps push order', () => {
    expect(orderForMode(items, 'append')).toEqual([1, 2, 3]);
  });

  it('reverse puts the newest first without changing the input', () => {
    expect(orderForMode(items, 'reverse')).toEqual([3, 2, 1]);
    expect(items).toEqual([1, 2, 3]);
  });

  it('replace keeps only the latest item', () => {
    expect(orderForMode(items, 'replace')).toEqual([3]);
    expect(orderForMode([], 'replace')).toEqual([]);
  });
});

describe('SWAP_BY_MODE', () => {
  it('maps append, reverse and replace to beforeend, afterbegin and innerHTML', () => {
    expect(SWAP_BY_MODE).toEqual({
      append: 'beforeend',
      reverse: 'afterbegin',
      replace: 'innerHTML',
    });
  });
});

describe('pollerElement', () => {
  it('polls on as an out-of-band replacement, with the next URL escaped', () => {
    const next = '/pluto-rt/poll/q?tpl=pluto_rt%2Fitem&mode=append&after=1-0';
    const attrs = singleDivAttributes(pollerElement(placement, 'append', next, true));
    expect(attrs.get('id')).toBe('poller-1');
    expect(attrs.get('class')).toBe('pluto-rt-poller');
    expect(attrs.get('hx-swap-oob')).toBe('true');
    expect(attrs.get('hx-get')).toBe(escapeAttr(next));
    expect(attrs.get('hx-trigger')).toBe('every 500ms');
    expect(attrs.get('hx-target')).toBe('#results');
    expect(attrs.get('hx-swap')).toBe('beforeend');
    expect(attrs.get('hx-status:4xx')).toBe('swap:none');
    expect(attrs.get('hx-status:5xx')).toBe('swap:none');
  });

  it('as the first element (not out-of-band), also fires on load', () => {
    const attrs = singleDivAttributes(pollerElement(placement, 'reverse', '/p', false));
    expect(attrs.has('hx-swap-oob')).toBe(false);
    expect(attrs.get('hx-trigger')).toBe('load, every 500ms');
    expect(attrs.get('hx-swap')).toBe('afterbegin');
  });

  it.each([
    ['append', 'beforeend'],
    ['reverse', 'afterbegin'],
    ['replace', 'innerHTML'],
  ] as const)('mode %s swaps %s', (mode, swap) => {
    expect(singleDivAttributes(pollerElement(placement, mode, '/p', true)).get('hx-swap')).toBe(
      swap,
    );
  });

  it('without a next URL is inert: no hx-get, no trigger', () => {
    const html = pollerElement(placement, 'append', undefined, true);
    const attrs = singleDivAttributes(html);
    expect(attrs.get('id')).toBe('poller-1');
    expect(attrs.get('hx-swap-oob')).toBe('true');
    expect(html).not.toMatch(/hx-get|hx-trigger|every/);
  });

  it('escapes hostile placement values so they cannot break out of the attribute', () => {
    const hostile = { el: 'x" onclick="alert(1)', target: "#a'><script>", every: '1s"' };
    const html = pollerElement(hostile, 'append', '/p?a="b"', true);
    expect(html).not.toMatch(/<script>|" onclick/);
    const attrs = singleDivAttributes(html);
    expect(attrs.get('id')).toBe('x&quot; onclick=&quot;alert(1)');
    expect(attrs.get('hx-target')).toBe('#a&#39;&gt;&lt;script&gt;');
    expect(attrs.get('hx-trigger')).toBe('every 1s&quot;');
    expect(attrs.get('hx-get')).toBe('/p?a=&quot;b&quot;');
  });
});

describe('lastId', () => {
  it('is the id of the last entry, or the fallback when there is none', () => {
    expect(lastId([new RtEntry('1-0', '1'), new RtEntry('2-5', undefined)], '0-0')).toBe('2-5');
    expect(lastId([], '7-1')).toBe('7-1');
  });
});
