import { batchHtml, type BatchView } from '../../lib/markup/batch-html.js';
import type { Route } from '../../lib/markup/route.js';
import { storePlaced, type RtPlacement } from '../../lib/queue/item-placement.js';
import { RtEntry } from '../../lib/store/rt-entry.js';

let seq = 0;
const entry = (item: object, placement?: RtPlacement) => {
  const json = JSON.stringify(item);
  return new RtEntry(`1-${seq++}`, placement ? storePlaced(json, placement) : json);
};
/** Renders `template:item.n`, so that a test sees which template took which item. */
const render = (e: RtEntry, template: string) => `<${template}:${(e.item as { n: number }).n}>`;
const route = (over: Partial<Route>): Route => ({
  type: '',
  template: 'row',
  mode: 'append',
  target: '',
  keep: 0,
  ...over,
});
const view = (routes: Route[], major: 2 | 4 = 2): BatchView => ({ routes, major });

describe('batchHtml', () => {
  it("without routes: the items as the page's element swaps them, in their mode's order", () => {
    const items = [entry({ n: 1 }), entry({ n: 2 }), entry({ n: 3 })];
    expect(batchHtml(items, view([route({})]), render)).toBe('<row:1><row:2><row:3>');
    expect(batchHtml(items, view([route({ mode: 'reverse' })]), render)).toBe(
      '<row:3><row:2><row:1>',
    );
    expect(batchHtml(items, view([route({ mode: 'replace' })]), render)).toBe('<row:3>');
  });

  it('with routes: each run of one route as one partial into its target, in push order', () => {
    const routes = [
      route({ target: '#rows' }),
      route({ type: 'progress', template: 'bar', mode: 'replace', target: '#bar' }),
    ];
    const items = [
      entry({ n: 1 }),
      entry({ n: 2, type: 'progress' }),
      entry({ n: 3 }),
      entry({ n: 4, type: 'progress' }),
      entry({ n: 5, type: 'other' }),
    ];
    // The bar shows only its latest value (4): 2 goes, and rows 1 and 3 are one run.
    expect(batchHtml(items, view(routes), render)).toBe(
      '<hx-partial hx-target="#rows" hx-swap="beforeend"><row:1><row:3></hx-partial>' +
        '<hx-partial hx-target="#bar" hx-swap="innerHTML"><bar:4></hx-partial>' +
        '<hx-partial hx-target="#rows" hx-swap="beforeend"><row:5></hx-partial>',
    );
  });

  it('reverse runs come newest first, and still end newest first in the target', () => {
    const routes = [route({ target: '#rows', mode: 'reverse' })];
    const items = [
      entry({ n: 1 }),
      entry({ n: 2 }),
      entry({ n: 3 }, { target: '#rows', action: 'update' }),
      entry({ n: 4 }),
      entry({ n: 5 }),
    ];
    expect(batchHtml(items, view(routes), render)).toBe(
      '<hx-partial hx-target="#rows" hx-swap="afterbegin"><row:2><row:1></hx-partial>' +
        '<hx-partial hx-target="#rows" hx-swap="innerHTML"><row:3></hx-partial>' +
        '<hx-partial hx-target="#rows" hx-swap="afterbegin"><row:5><row:4></hx-partial>',
    );
  });

  it('a route that keeps N items renders only the last N of a batch', () => {
    const items = [1, 2, 3, 4, 5].map((n) => entry({ n }));
    expect(batchHtml(items, view([route({ target: '#log', keep: 2 })]), render)).toBe(
      '<hx-partial hx-target="#log" hx-swap="beforeend"><row:4><row:5></hx-partial>',
    );
  });

  it.each([
    ['append', 'beforeend'],
    ['prepend', 'afterbegin'],
    ['replace', 'outerHTML'],
    ['update', 'innerHTML'],
    ['before', 'beforebegin'],
    ['after', 'afterend'],
  ] as const)('places an item the job placed with %s at its target (%s)', (action, swap) => {
    const placed = entry({ n: 7 }, { target: '#file-3', action });
    expect(batchHtml([placed], view([route({})]), render)).toBe(
      `<hx-partial hx-target="#file-3" hx-swap="${swap}"><row:7></hx-partial>`,
    );
  });

  it('removes with nothing to render, and morphs as each major can', () => {
    const removed = entry({ n: 8 }, { target: '#file-3', action: 'remove' });
    expect(batchHtml([removed], view([route({})]), render)).toBe(
      '<hx-partial hx-target="#file-3" hx-swap="delete"></hx-partial>',
    );
    const morphed = entry({ n: 9 }, { target: '#file-3', action: 'morph' });
    expect(batchHtml([morphed], view([route({})], 4), render)).toBe(
      '<hx-partial hx-target="#file-3" hx-swap="outerMorph">' +
        '<template data-pluto-rt-at="#file-3"></template><row:9></hx-partial>',
    );
    expect(batchHtml([morphed], view([route({})], 2), render)).toBe(
      '<hx-partial hx-target="#file-3" hx-swap="outerHTML"><template data-pluto-rt-morph></template><row:9></hx-partial>',
    );
  });

  it('htmx 4: an item placed at an #id looks its target up at its turn (pluto-rt.js)', () => {
    const placed = entry({ n: 7 }, { target: '#file-3', action: 'after' });
    expect(batchHtml([placed], view([route({})], 4), render)).toBe(
      '<hx-partial hx-target="#file-3" hx-swap="afterend">' +
        '<template data-pluto-rt-at="#file-3"></template><row:7></hx-partial>',
    );
    const byClass = entry({ n: 8 }, { target: '.total', action: 'update' });
    expect(batchHtml([byClass], view([route({})], 4), render)).toBe(
      '<hx-partial hx-target=".total" hx-swap="innerHTML"><row:8></hx-partial>',
    );
  });

  it('renders a placed item with the template of its type, in push order', () => {
    const routes = [
      route({ target: '#rows' }),
      route({ type: 'file', template: 'file', target: '#files' }),
    ];
    const items = [
      entry({ n: 1, type: 'file' }, { target: '#file-1', action: 'replace' }),
      entry({ n: 2 }),
    ];
    expect(batchHtml(items, view(routes), render)).toBe(
      '<hx-partial hx-target="#file-1" hx-swap="outerHTML"><file:1></hx-partial>' +
        '<hx-partial hx-target="#rows" hx-swap="beforeend"><row:2></hx-partial>',
    );
  });
});
