import hbs from 'hbs';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * A results view usually has data of its own (`id`, `count`...). Handlebars merges the view's
 * context into a partial's, so the pluto_rt partials must read only the parameters written
 * in the include. Fails with lib/partials/partials.registrar.ts as of this writing (the
 * helpers read `this`): a view `id` becomes the element id (twice on a page with both
 * partials), a view `count` goes into the poll URL, and a numeric `id` throws.
 */
describe('pluto_rt partials in a view with data of its own', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ mvc: true });
  });
  afterAll(() => t.close());

  const view = () =>
    hbs.handlebars.compile(
      '{{> pluto_rt/sse queue=queueName item_template="pluto_rt/list_item" target="#a"}}' +
        '{{> pluto_rt/polling queue=queueName item_template="pluto_rt/list_item" target="#b"}}',
    );

  it.each([
    ['a string id and a count', { id: 'order-5', count: 3 }],
    ['a numeric id', { id: 5 }],
  ])('ignores %s of the view', (_what, own) => {
    const queueName = t.rt.createQueueName();
    const html = view()({ queueName, ...own });
    expect(html).not.toMatch(/id="(order-)?5"/);
    expect(html).not.toContain('count=3');
    expect(html).toMatch(/<div id="prt-[0-9a-f]+" class="pluto-rt-poller"/);
  });
});
