import { Controller, Get, Header, Param } from '@nestjs/common';
import hbs from 'hbs';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const shell = (connection: string) =>
  hbs.handlebars.compile(
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
      '{{> pluto_rt/scripts htmx=major}}</head><body><ul id="rows"></ul>' +
      `${connection}</body></html>`,
  );
const ITEMS = 'queue=queue item_template="pluto_rt/list_item" target="#rows" htmx=major';
const PAGES = {
  sse: shell(`{{> pluto_rt/sse ${ITEMS}}}`),
  polling: shell(`{{> pluto_rt/polling ${ITEMS} interval="100ms"}}`),
  group: shell(
    '{{#> pluto_rt/group transport="sse" htmx=major}}' +
      '{{> pluto_rt/queue queue=queue item_template="pluto_rt/list_item" target="#rows"}}' +
      '{{/pluto_rt/group}}',
  ),
};

@Controller('ending')
class EndingPages {
  @Get(':page/:major/:queue')
  @Header('Content-Type', 'text/html; charset=utf-8')
  show(
    @Param('page') page: keyof typeof PAGES,
    @Param('major') major: string,
    @Param('queue') queue: string,
  ): string {
    return PAGES[page]({ queue, major });
  }
}

/** Where each page shows its ending: on its element (state and line), or in the queue's target. */
const SHOWN = {
  sse: '.pluto-rt-sse[data-pluto-rt-state="failed"] > .pluto-rt-ended[data-reason="failed"]',
  polling: '.pluto-rt-poller[data-pluto-rt-state="failed"] > .pluto-rt-ended[data-reason="failed"]',
  group: '#rows > .pluto-rt-ended[data-reason="failed"]',
};
/** Markup in the message: it must show as text. */
const MESSAGE = 'Disk full <img src=x onerror="window.__hacked=1">';

describe.each([2, 4] as const)('htmx %i: a queue that fails (Chromium)', (major) => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestApp({ mvc: true, controllers: [EndingPages] }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it.each(Object.keys(PAGES) as Array<keyof typeof PAGES>)(
    '%s: the page shows its items, then "Failed" with the message, as text',
    async (kind) => {
      const queue = t.rt.createQueueName();
      await t.rt.get(queue).push({ n: 1, text: 'first' });
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${t.url}/ending/${kind}/${major}/${queue}`);
      await page.waitForSelector('#rows li.item');
      await t.rt.get(queue).push({ n: 2, text: 'second' });
      await t.rt.get(queue).fail(MESSAGE);
      const line = await page.waitForSelector(SHOWN[kind], { timeout: 10_000 });
      expect(await line.textContent()).toBe(`Failed: ${MESSAGE}`);
      const rows = await page.$$eval('#rows li.item', (lis) => lis.map((li) => li.textContent));
      expect(rows).toEqual(['first', 'second']);
      expect(await page.evaluate('window.__hacked')).toBeUndefined();
      expect(errors).toEqual([]);
      await page.close();
    },
  );
});
