import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { pageScript } from './helpers/page-script.js';
import { RELIABILITY_TEMPLATES, startPageApp } from './helpers/page-app.js';
import type { TestApp } from '../helpers/test-app.js';

/** Items that would run script if any part of the path rendered them as HTML. */
const HOSTILE = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=1">',
  '" onmouseover="window.__pwned=1" autofocus onfocus="window.__pwned=1" x="',
  "' onmouseover='window.__pwned=1' x='",
  '"><script>window.__pwned=1</script><li x="',
  '</li></ul><svg onload="window.__pwned=1"></svg>',
  '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
  '{{constructor.constructor "window.__pwned=1"}} &amp; &lt;b&gt; ]]> <!--',
];

/** What the page shows for each item: text, the title attribute, and elements that should not exist. */
const INSPECT = `(() => {
  const items = [...document.querySelectorAll('#results li.item')].map((li) => ({
    n: Number(li.getAttribute('data-n')),
    text: li.querySelector('.text')?.textContent,
    title: li.getAttribute('title'),
    attributes: li.getAttributeNames().sort(),
  }));
  const injected = document.querySelectorAll('#results script, #results img, #results svg, #results iframe, [onerror], [onload], [onmouseover], [onfocus]').length;
  return { items, injected, pwned: window.__pwned };
})()`;

interface Inspection {
  items: Array<{ n: number; text?: string; title: string | null; attributes: string[] }>;
  injected: number;
  pwned: unknown;
}

describe('escaping in the browser (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  beforeAll(async () => {
    [t, browser] = await Promise.all([
      startPageApp({ templatesDir: RELIABILITY_TEMPLATES }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const transport of ['sse', 'poll'] as const) {
    it(`hostile items pushed over ${transport} show as text, in text and attribute positions, and no script runs`, async () => {
      const name = t.rt.createQueueName();
      const queue = t.rt.get(name);
      // Half before the page opens (history), half while it is open (live).
      const half = HOSTILE.length / 2;
      for (const [n, text] of HOSTILE.slice(0, half).entries()) await queue.push({ n, text });
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.goto(`${t.url}/rel/${transport}/${name}?tpl=pluto_rt/attr_item`);
      await page.waitForFunction(pageScript.atLeast('#results li.item', half), undefined, {
        timeout: 10_000,
      });
      for (const [n, text] of HOSTILE.slice(half).entries())
        await queue.push({ n: n + half, text });
      await queue.complete();
      await page.waitForFunction(
        pageScript.atLeast('#results li.item', HOSTILE.length),
        undefined,
        { timeout: 10_000 },
      );
      // Let a hover and focus reach the items, in case an attribute got through.
      await page.hover('#results li.item:last-child');
      await page.keyboard.press('Tab');

      const seen = (await page.evaluate(INSPECT)) as Inspection;
      process.stdout.write(
        `[browser-escaping] ${transport}: ${seen.items.length} hostile items shown as text, injected elements ${seen.injected}, window.__pwned ${String(seen.pwned)}\n`,
      );
      expect(seen.pwned).toBeUndefined();
      expect(seen.injected).toBe(0);
      expect(seen.items).toEqual(
        HOSTILE.map((text, n) => ({
          n,
          text,
          title: text,
          attributes: ['class', 'data-n', 'title'],
        })),
      );
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
