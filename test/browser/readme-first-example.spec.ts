import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Browser } from 'playwright-core';
import { PlutoRtModule } from '../../lib/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { REDIS_URL, testPrefix } from '../helpers/redis.js';
import { deletePrefix } from '../helpers/redis-inspect.js';
import { projectRedis } from '../helpers/topology.js';
import { TEST_SECRET } from '../helpers/test-app.js';
import { ImportController } from '../readme-example/first/import.controller.js';
import { ImportProcessor } from '../readme-example/first/import.processor.js';

const VIEWS = fileURLToPath(new URL('../readme-example/first/views', import.meta.url));

/**
 * The README's first example as written (its files are test/readme-example/first, which
 * readme-sync.spec.ts keeps equal to the README): a form posts to the controller, BullMQ runs
 * the processor, and the page shows every row in the list and the progress in the bar.
 */
describe("the README's first example (Chromium, BullMQ)", () => {
  let app: NestExpressApplication;
  let url: string;
  let browser: Browser;
  const prefix = testPrefix();

  beforeAll(async () => {
    @Module({
      imports: [
        BullModule.forRoot({ connection: { url: REDIS_URL }, prefix: `${prefix}bull` }),
        BullModule.registerQueue({ name: 'imports' }),
        PlutoRtModule.forRoot({
          redis: { url: REDIS_URL },
          secret: TEST_SECRET,
          templatesDir: VIEWS,
          keyPrefix: prefix,
        }),
      ],
      controllers: [ImportController],
      providers: [ImportProcessor],
    })
    class ExampleModule {}
    app = await NestFactory.create<NestExpressApplication>(ExampleModule, {
      logger: ['error', 'warn'],
    });
    app.setBaseViewsDir(VIEWS);
    app.setViewEngine('hbs');
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    const redis = projectRedis().inspector();
    await deletePrefix(redis, prefix);
    await redis.quit();
  });

  it('shows each row in the list and the progress in the bar, then stops', async () => {
    const page = await browser.newPage();
    await page.setContent(
      `<form method="post" action="${url}/import"><button>Import</button></form>`,
    );
    await Promise.all([page.waitForURL(/\/import\/rtq_/), page.click('button')]);
    await page.evaluate(
      "document.addEventListener('htmx:sseClose', () => { window.__closed = true; })",
    );
    await page.waitForFunction('window.__closed === true', undefined, { timeout: 20_000 });

    const rows = await page.locator('#results li').allTextContents();
    expect(rows).toEqual(Array.from({ length: 100 }, (_, i) => `Row ${100 - i} imported`));
    expect(await page.locator('#results li.alert-info').count()).toBe(100);
    const bar = page.locator('#bar > progress');
    expect(await bar.count()).toBe(1);
    expect(await bar.getAttribute('value')).toBe('100');
    expect(await bar.getAttribute('max')).toBe('100');
    await page.close();
  });
});
