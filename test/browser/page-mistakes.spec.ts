import { Controller, Get, Header, Param } from '@nestjs/common';
import hbs from 'hbs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/** A results page as a developer might first write it: `head` and `body` are hbs. */
const page = (head: string, body: string) =>
  hbs.handlebars.compile(
    `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">${head}</head>` +
      `<body><ul id="results"></ul>${body}</body></html>`,
  );

const SSE = '{{> pluto_rt/sse queue=queue item_template="pluto_rt/list_item" target="#results"}}';
const PAGES = {
  'without-scripts': page('', SSE),
  'with-scripts': page('{{> pluto_rt/scripts}}', SSE),
  'polling-without-scripts': page(
    '',
    '{{> pluto_rt/polling queue=queue item_template="pluto_rt/list_item" target="#results"}}',
  ),
  misspelt: page(
    '{{> pluto_rt/scripts}}',
    '{{> pluto_rt/sse queue=queue itemTemplate="pluto_rt/list_item" target="#results"}}',
  ),
};

@Controller('mistakes')
class MistakePages {
  @Get(':page/:queue')
  @Header('Content-Type', 'text/html; charset=utf-8')
  show(@Param('page') name: keyof typeof PAGES, @Param('queue') queue: string): string {
    return PAGES[name]({ queue });
  }
}

/**
 * Mistakes that used to fail in silence: a page without `{{> pluto_rt/scripts}}` showed
 * nothing (no htmx, no stream, no message), and a misspelt parameter fell back to a default.
 * Each now says so in the page, with no inline script (a strict CSP blocks those).
 */
describe('a page with a mistake says so (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startTestApp({ mvc: true, controllers: [MistakePages] }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function open(name: keyof typeof PAGES): Promise<{ page: Page; queue: string }> {
    const queue = t.rt.createQueueName();
    await t.rt.get(queue).push({ n: 1, text: 'first' });
    const page = await browser.newPage();
    await page.goto(`${t.url}/mistakes/${name}/${queue}`);
    return { page, queue };
  }

  it.each(['without-scripts', 'polling-without-scripts'] as const)(
    'a page %s shows why nothing moves',
    async (name) => {
      const { page } = await open(name);
      const hint = page.locator('.pluto-rt-needs-scripts');
      await hint.waitFor({ state: 'visible', timeout: 5_000 });
      expect(await hint.textContent()).toBe(
        'Live results are not connected: this page lacks {{> pluto_rt/scripts}} in its <head>.',
      );
      expect(await page.locator('#results li').count()).toBe(0);
      await page.close();
    },
  );

  it('a page with the scripts partial hides that line and shows the items', async () => {
    const { page } = await open('with-scripts');
    await page.locator('#results li').first().waitFor({ timeout: 5_000 });
    expect(await page.locator('.pluto-rt-needs-scripts').isVisible()).toBe(false);
    expect(await page.locator('#results li').allTextContents()).toEqual(['first']);
    await page.close();
  });

  it('a misspelt parameter is shown in place of the element, with the one it resembles', async () => {
    const { page } = await open('misspelt');
    const error = page.locator('.pluto-rt-error');
    await error.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await error.textContent()).toMatch(
      /^pluto_rt\/sse: parameter itemTemplate is not one of .*\(did you mean "item_template"\?\)$/,
    );
    expect(await page.locator('.pluto-rt-sse').count()).toBe(0);
    await page.close();
  });
});
