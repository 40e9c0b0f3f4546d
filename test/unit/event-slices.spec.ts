import type { BatchView } from '../../lib/markup/batch-html.js';
import { eventSlices, MAX_SHOWN_PER_EVENT } from '../../lib/markup/event-slices.js';
import type { Route } from '../../lib/markup/route.js';
import { storePlaced } from '../../lib/queue/item-placement.js';
import { RtEntry } from '../../lib/store/rt-entry.js';

const entries = (items: object[]) =>
  items.map((item, i) => new RtEntry(`1-${i}`, JSON.stringify(item)));
const route = (over: Partial<Route>): Route => ({
  type: '',
  template: 'row',
  mode: 'append',
  target: '#rows',
  keep: 0,
  ...over,
});
const view = (routes: Route[]): BatchView => ({ routes, major: 4 });
const ns = (shown: RtEntry[]) => shown.map((e) => (e.item as { n: number }).n);

describe('eventSlices', () => {
  it(`cuts a burst of rows into events of ${MAX_SHOWN_PER_EVENT} rows, each id its last row`, () => {
    const rows = entries(Array.from({ length: 250 }, (_, n) => ({ n })));
    const slices = eventSlices(rows, view([route({})]));
    expect(slices.map((s) => s.shown.length)).toEqual([100, 100, 50]);
    expect(slices.map((s) => s.lastId)).toEqual(['1-99', '1-199', '1-249']);
    expect(slices.flatMap((s) => ns(s.shown))).toEqual(rows.map((_, n) => n));
  });

  it("counts a replace route's items once: 5,000 progress updates are one event of the latest", () => {
    const updates = entries(Array.from({ length: 5000 }, (_, n) => ({ n, type: 'progress' })));
    const routes = [route({}), route({ type: 'progress', mode: 'replace', target: '#bar' })];
    const slices = eventSlices(updates, view(routes));
    expect(slices).toEqual([{ shown: [updates[4999]], lastId: '1-4999' }]);
  });

  it('gives the entries after the last shown item (replaced ones) to the last event', () => {
    const items = entries([
      { n: 0, type: 'progress' },
      { n: 1 },
      { n: 2, type: 'progress' },
      { n: 3 },
    ]);
    const routes = [route({}), route({ type: 'progress', mode: 'replace', target: '#bar' })];
    const slices = eventSlices(items, view(routes), 2);
    expect(slices.map((s) => [ns(s.shown), s.lastId])).toEqual([
      [[1, 2], '1-2'],
      [[3], '1-3'],
    ]);
  });

  it('keeps only the last `keep` items of a route that keeps a number, and every placed item', () => {
    const placed = new RtEntry(
      '1-9',
      storePlaced(JSON.stringify({ n: 9 }), { target: '#a', action: 'remove' }),
    );
    const rows = [...entries(Array.from({ length: 5 }, (_, n) => ({ n }))), placed];
    const [slice] = eventSlices(rows, view([route({ keep: 2 })]));
    expect(ns(slice!.shown)).toEqual([3, 4, 9]);
    expect(slice!.lastId).toBe('1-9');
  });

  it('has no events for no entries', () => {
    expect(eventSlices([], view([route({})]))).toEqual([]);
  });
});
