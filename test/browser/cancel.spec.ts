import { BullModule, Processor, WorkerHost } from '@nestjs/bullmq';
import { Controller, Get, Header, Param } from '@nestjs/common';
import { Queue, UnrecoverableError, type Job } from 'bullmq';
import hbs from 'hbs';
import type { Browser } from 'playwright-core';
import { RtQueueService } from '../../lib/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { REDIS_URL } from '../helpers/redis.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const BULL_PREFIX = `prt-bcancel-${process.pid}-${Date.now()}`;
const connection = { url: REDIS_URL } as never;
const JOBS = 'browser-cancel';

/** Pushes a row, then waits for its signal: a job that honours a cancel. */
@Processor(JOBS)
class LongJob extends WorkerHost {
  constructor(private readonly rt: RtQueueService) {
    super();
  }

  async process(job: Job, _token?: string, signal?: AbortSignal) {
    await this.rt.forJob(job).push({ n: 1, text: 'working' });
    await new Promise((_, reject) =>
      signal!.addEventListener('abort', () => reject(new UnrecoverableError('stopped')), {
        once: true,
      }),
    );
  }
}

const ROWS = 'queue=queue item_template="pluto_rt/list_item" target="#rows" htmx=major';
const PAGES = {
  sse: `{{> pluto_rt/sse ${ROWS}}}`,
  polling: `{{> pluto_rt/polling ${ROWS} interval="100ms"}}`,
};
const render = (connection: string) =>
  hbs.handlebars.compile(
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
      '{{> pluto_rt/scripts htmx=major}}</head><body><ul id="rows"></ul>' +
      `{{> pluto_rt/cancel job_queue=jobQueue job_id=jobId label="Stop"}}${connection}</body></html>`,
  );

/** A page of work that no BullMQ job runs: its Stop button cancels the queue itself. */
const renderQueuePage = hbs.handlebars.compile(
  '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
    '{{> pluto_rt/scripts htmx=major}}</head><body><ul id="rows"></ul>' +
    `{{> pluto_rt/cancel queue=queue label="Stop"}}${PAGES.sse}</body></html>`,
);

@Controller('job')
class JobPages {
  constructor(private readonly rt: RtQueueService) {}

  // Before the route below, which would take it.
  @Get('queue/:major/:queue')
  @Header('Content-Type', 'text/html; charset=utf-8')
  queuePage(@Param('major') major: string, @Param('queue') queue: string) {
    return renderQueuePage({ queue, major });
  }

  @Get(':page/:major/:id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  show(
    @Param('page') page: keyof typeof PAGES,
    @Param('major') major: string,
    @Param('id') id: string,
  ) {
    const queue = this.rt.jobQueueName({ queueName: JOBS, id });
    return render(PAGES[page])({ queue, major, jobQueue: JOBS, jobId: id });
  }
}

/** Where each page shows the ending. */
const CANCELLED = {
  sse: '.pluto-rt-sse[data-pluto-rt-state="cancelled"] > .pluto-rt-ended[data-reason="cancelled"]',
  polling:
    '.pluto-rt-poller[data-pluto-rt-state="cancelled"] > .pluto-rt-ended[data-reason="cancelled"]',
};

describe.each([2, 4] as const)(
  'htmx %i: cancel a job from its page (Chromium, BullMQ)',
  (major) => {
    let t: TestApp;
    let browser: Browser;
    let queue: Queue;
    beforeAll(async () => {
      [t, browser] = await Promise.all([
        startTestApp({
          mvc: true,
          imports: [
            BullModule.forRoot({ connection, prefix: `${BULL_PREFIX}-${major}` }),
            BullModule.registerQueue({ name: JOBS }),
          ],
          providers: [LongJob],
          controllers: [JobPages],
          options: { followJobs: [JOBS] },
        }),
        launchChromium(),
      ]);
      queue = new Queue(JOBS, { connection, prefix: `${BULL_PREFIX}-${major}` });
    });
    afterAll(async () => {
      await queue?.obliterate({ force: true });
      await queue?.close();
      await browser?.close();
      await t?.close();
    });

    it.each(Object.keys(PAGES) as Array<keyof typeof PAGES>)(
      '%s: Stop on a job that waits removes it, and the page says it was cancelled',
      async (kind) => {
        await queue.pause(); // no worker takes it
        try {
          const job = await queue.add('waits', {});
          const page = await browser.newPage();
          await page.goto(`${t.url}/job/${kind}/${major}/${job.id}`);
          await page.click('button.pluto-rt-cancel');
          const line = await page.waitForSelector(CANCELLED[kind], { timeout: 10_000 });
          expect(await line.textContent()).toBe('Cancelled: Cancelled from the page');
          expect(await queue.getJob(job.id!)).toBeUndefined();
          await page.close();
        } finally {
          await queue.resume();
        }
      },
    );

    it.each(Object.keys(PAGES) as Array<keyof typeof PAGES>)(
      '%s: Stop stops the running job, and the page says it was cancelled',
      async (kind) => {
        const job = await queue.add('long', {});
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(err.message));
        await page.goto(`${t.url}/job/${kind}/${major}/${job.id}`);
        await page.waitForSelector('#rows li.item');
        await page.click('button.pluto-rt-cancel');
        const line = await page.waitForSelector(CANCELLED[kind], { timeout: 10_000 });
        expect(await line.textContent()).toBe('Cancelled: Cancelled from the page');
        expect(await job.getState()).toBe('failed');
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it('sse: Stop on work that no BullMQ job runs aborts its queue’s signal, and the page ends as the work ends it', async () => {
      const name = t.rt.createQueueName();
      const work = t.rt.get(name);
      const stopped = new Promise<unknown>((resolve) =>
        work.signal.addEventListener('abort', () => resolve(work.signal.reason), { once: true }),
      );
      await work.push({ n: 1, text: 'working' });
      const page = await browser.newPage();
      await page.goto(`${t.url}/job/queue/${major}/${name}`);
      await page.waitForSelector('#rows li.item');
      const answer = page.waitForResponse((res) => res.url().includes('/cancel/'));
      await page.click('button.pluto-rt-cancel');
      expect((await answer).status()).toBe(202);
      expect(String(await stopped)).toMatch(/cancelled from its page/);
      await work.end('cancelled', 'Stopped at your request');
      const line = await page.waitForSelector(CANCELLED.sse, { timeout: 10_000 });
      expect(await line.textContent()).toBe('Cancelled: Stopped at your request');
      await page.close();
    });
  },
);
