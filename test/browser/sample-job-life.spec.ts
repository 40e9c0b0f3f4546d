/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser: they need the DOM types.
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import {
  chooseMajor,
  launchDemo,
  shownItems,
  waitUntilFinished,
  waitForCount,
  type Major,
  type Transport,
} from './support/results-page.js';
import { LOCK_MS } from '../../sample/src/worker/life.processor.js';
import { useSampleInChromium } from './support/sample-in-chromium.js';
import { newPrefixes, startSample, type SampleProcess } from './support/sample-process.js';

/** Starts a demo of the jobs the module follows; resolves with its results page URL. */
async function launchFollowed(page: Page, baseUrl: string, slug: string, transport: Transport) {
  await page.goto(`${baseUrl}/`);
  await Promise.all([
    page.waitForURL(new RegExp(`/demos/${slug}/${transport}/job_[\\w-]{22}\\?job=\\d+$`)),
    page.click(`button[data-demo="${slug}"][data-transport="${transport}"]`),
  ]);
  return page.url();
}

/** The module's lines about the job: state, and attempt when it names one. */
function jobLines(page: Page): Promise<string[]> {
  return page.$$eval('#results li.job', (lines) =>
    lines.map((line) => {
      const { state, attempt } = (line as HTMLElement).dataset;
      return attempt ? `${state} ${attempt}` : state!;
    }),
  );
}

/** The job's own lines, by step, in page order. */
async function stepsShown(page: Page): Promise<number[]> {
  return (await shownItems(page, '#results li.status')).map((item) => Number(item.step));
}

const endedLine = (page: Page, reason: string) =>
  page.locator(`.pluto-rt-ended[data-reason="${reason}"]`);

/**
 * Slow enough steps for a Cancel click to land while the job runs: the list demo has 25, so
 * about 9 s are left after step 2 shows. The button hides once the stream finishes, and on a
 * machine loaded by the suites beside this one, several steps can reach the page at once.
 */
const STEP_MS = 400;
/** A click that waits no longer than this fails with its reason (hidden, detached, ...). */
const CLICK = { timeout: 5_000 };

describe.each<Major>([2, 4])('sample: Cancel and the job’s life, htmx %i', (major) => {
  const ctx = useSampleInChromium({ stepMs: STEP_MS });
  beforeEach(() => chooseMajor(ctx.watched.page, ctx.sample.url, major));

  describe.each<Transport>(['sse', 'polling'])('over %s', (transport) => {
    it('list: Cancel stops the running job where it runs, and the page ends as cancelled', async () => {
      const { page } = ctx.watched;
      await launchDemo(page, ctx.sample.url, 'list', transport);
      await waitForCount(page, '#results li.status[data-step="2"]', 1);
      await page.click('button.pluto-rt-cancel', CLICK);
      await waitUntilFinished(page);
      expect(await endedLine(page, 'cancelled').textContent()).toBe(
        'Cancelled: Cancelled from the page',
      );
      const steps = await stepsShown(page);
      expect(steps.length).toBeLessThan(26); // the queued line and 25 steps, had it run through
      expect(steps).toEqual(steps.map((_, i) => i)); // in order, none twice
      expect(await jobLines(page)).toEqual(['cancelling']); // told once
      expect(await page.isVisible('button.pluto-rt-cancel')).toBe(false);
      expect(ctx.watched.consoleErrors).toEqual([]);
    });

    it('retries: each attempt follows a line that names it, each failure says it will retry, and the page ends as failed', async () => {
      const { page } = ctx.watched;
      await launchFollowed(page, ctx.sample.url, 'retries', transport);
      await waitUntilFinished(page);
      const lines = (await jobLines(page)).filter((line) => line !== 'waiting');
      expect(lines).toEqual([
        'active 1',
        'retrying 1',
        'active 2',
        'retrying 2',
        'active 3',
        'failed 3',
      ]);
      // Every attempt's items stay, after its own line: steps 1 and 2, three times.
      expect(await stepsShown(page)).toEqual([1, 2, 1, 2, 1, 2]);
      expect(await endedLine(page, 'failed').textContent()).toBe(
        'Failed: the orders API answered 503 at step 3',
      );
      expect(ctx.watched.consoleErrors).toEqual([]);
    });
  });

  it('retries: Cancel between two attempts ends the job and its page as cancelled', async () => {
    const { page } = ctx.watched;
    await launchFollowed(page, ctx.sample.url, 'retries', 'sse');
    await waitForCount(page, '#results li.job[data-state="retrying"]', 1);
    await page.click('button.pluto-rt-cancel', CLICK);
    await waitUntilFinished(page);
    expect(await endedLine(page, 'cancelled').count()).toBe(1);
    expect(await jobLines(page)).not.toContain('active 3');
  });
});

/**
 * The web/worker split of sample/README.md, with two workers: the lost-worker demo's job
 * kills the worker that runs it (SIGKILL), and the other one takes it over once BullMQ sees
 * its lock expire (LOCK_MS in life.processor.ts: 5 s).
 */
describe('sample: a worker lost mid-job, web and two worker processes (Chromium)', () => {
  let web: SampleProcess;
  const workers: SampleProcess[] = [];
  let browser: Browser;

  beforeAll(async () => {
    const prefixes = newPrefixes();
    const env = { PLUTO_RT_SECRET: `browser-test-secret-${randomUUID()}` };
    [web, browser] = await Promise.all([
      startSample({ args: ['--web'], prefixes, env, stepMs: STEP_MS }),
      launchChromium(),
    ]);
    for (let i = 0; i < 2; i++)
      workers.push(await startSample({ args: ['--worker'], prefixes, env, stepMs: STEP_MS }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const worker of workers) await worker.stop();
    await web?.stop();
    await web?.deleteKeys();
  });

  it.each([
    [2, 'sse'],
    [2, 'polling'],
    [4, 'sse'],
    [4, 'polling'],
  ] as Array<[Major, Transport]>)(
    'htmx %i, %s: Cancel reaches the job on a worker process, which stops; the page ends as cancelled',
    async (major, transport) => {
      const page = await browser.newPage();
      try {
        await chooseMajor(page, web.url, major);
        await launchDemo(page, web.url, 'list', transport);
        await waitForCount(page, '#results li.status[data-step="2"]', 1);
        await page.click('button.pluto-rt-cancel', CLICK);
        await waitUntilFinished(page);
        expect(await endedLine(page, 'cancelled').textContent()).toBe(
          'Cancelled: Cancelled from the page',
        );
        expect((await stepsShown(page)).length).toBeLessThan(26);
      } finally {
        await page.close();
      }
    },
  );

  it('the page says the worker was lost when BullMQ notices, then shows the run on the other worker to its end', async () => {
    const page = await browser.newPage();
    try {
      await launchFollowed(page, web.url, 'lost-worker', 'sse');
      // The job kills its worker as it reaches step 4, right after step 3 shows.
      await waitForCount(page, '#results li.status[data-step="3"]', 1);
      const beforeKill = Date.now();
      await waitForCount(page, '#results li.job[data-state="stalled"]', 1, 30_000);
      // BullMQ notices within its stall check (LOCK_MS twice, at worst; a machine loaded by
      // the suites beside this one adds seconds), never a day later.
      expect(Date.now() - beforeKill).toBeLessThanOrEqual(2 * LOCK_MS + 10_000);
      await waitUntilFinished(page, 30_000);
      expect(workers.filter((worker) => worker.child.signalCode === 'SIGKILL')).toHaveLength(1);
      const lines = (await jobLines(page)).filter((line) => line !== 'waiting');
      expect(lines).toEqual(['active 1', 'stalled 1', 'active 1']);
      // Steps 1-3 of the lost run stay; the next run's follow its own line.
      expect(await stepsShown(page)).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(await endedLine(page, 'failed').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 60_000);
});
