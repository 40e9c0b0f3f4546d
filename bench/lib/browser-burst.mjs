// The browser row: a page in Chromium (both htmx majors) while a job pushes 5,000 rows, then
// 5,000 progress updates, without waiting. The module's app runs in this process; the page is
// one routed stream element (a list and a bar over one connection), as the README's first
// example. What the page sees is measured in the page: SSE events, long tasks (the
// Long Tasks API: main-thread tasks over 50 ms), bar redraws.
import { Controller, Get, Header, Param } from '@nestjs/common';
import hbs from 'hbs';
import { launchChromium } from '../../scripts/chromium.mjs';
import { bootNest } from './nest-app.mjs';
import { loadModule, moduleOptions } from '../systems/module-options.mjs';

const PAGE = hbs.handlebars.compile(
  '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">' +
    '{{> pluto_rt/scripts htmx=major}}</head><body><div id="bar"></div><ul id="rows"></ul>' +
    '{{#> pluto_rt/sse queue=queue item_template="pluto_rt/bench_item" target="#rows" htmx=major}}' +
    '{{> pluto_rt/route type="progress" item_template="pluto_rt/bench_bar" target="#bar" mode="replace"}}' +
    '{{/pluto_rt/sse}}</body></html>',
);

/** Installed in the page before the pushes: what it receives and how busy it is. */
const RECORDER = `window.__m = { events: 0, tasks: [], bar: [], rowsTarget: Infinity, rowsDone: 0, barDone: 0 };
  const rows = document.getElementById('rows');
  new MutationObserver(() => {
    if (!window.__m.rowsDone && rows.children.length >= window.__m.rowsTarget)
      window.__m.rowsDone = performance.now();
  }).observe(rows, { childList: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__m.tasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  document.addEventListener('htmx:sseBeforeMessage', (e) => { if (e.detail.type === 'message') window.__m.events++; });
  document.addEventListener('htmx:sse:before:message', (e) => { if (!e.detail.message.event) window.__m.events++; });
  const bar = document.getElementById('bar');
  new MutationObserver(() => {
    window.__m.bar.push(performance.now());
    if (bar.textContent === '100%') window.__m.barDone = performance.now();
  }).observe(bar, { childList: true });`;

/** `GET /page/:major/:queue`: the page, for one queue and htmx major. */
function pageController() {
  class BenchPageController {
    page(major, queue) {
      return PAGE({ major, queue });
    }
  }
  Controller('page')(BenchPageController);
  const proto = BenchPageController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, 'page');
  Get(':major/:queue')(proto, 'page', descriptor);
  Header('Content-Type', 'text/html; charset=utf-8')(proto, 'page', descriptor);
  Param('major')(proto, 'page', 0);
  Param('queue')(proto, 'page', 1);
  return BenchPageController;
}

export async function browserBurst(ctx, redisUrl, prefix) {
  const { items } = ctx.sizes.browser;
  const { PlutoRtModule, RtQueueService } = await loadModule();
  const { app, port } = await bootNest(
    {
      controllers: [pageController()],
      imports: [
        PlutoRtModule.forRoot(
          moduleOptions({ redisUrl, prefix, clientName: `${prefix}browser`, keepaliveMs: 10_000 }),
        ),
      ],
    },
    'PlutoRtBrowserBenchModule',
  );
  const rt = app.get(RtQueueService);
  const browser = await launchChromium();
  const result = {};
  try {
    for (const major of [2, 4]) {
      const queue = rt.createQueueName();
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${port}/page/${major}/${queue}`);
      await page.evaluate(RECORDER);
      // The stream is open: the first row shows.
      await rt.get(queue).push({ n: 0 });
      await page.waitForFunction("document.querySelectorAll('#rows li').length === 1");

      const rowsFrom = await page.evaluate(
        `window.__m.rowsTarget = ${items + 1}; performance.now()`,
      );
      const eventsBefore = await page.evaluate('window.__m.events');
      await Promise.all(
        Array.from({ length: items }, (_, i) =>
          rt.get(queue).push({ n: i + 1, p: 'x'.repeat(40) }),
        ),
      );
      await page.waitForFunction('window.__m.rowsDone > 0', undefined, {
        timeout: 120_000,
        polling: 100,
      });
      const rowsTo = await page.evaluate('window.__m.rowsDone');
      const rowOrder = await page.evaluate(
        "[...document.querySelectorAll('#rows li')].every((li, i) => Number(li.dataset.n) === i)",
      );
      const rowsEvents = (await page.evaluate('window.__m.events')) - eventsBefore;

      const barFrom = await page.evaluate('performance.now()');
      const barEventsBefore = await page.evaluate('window.__m.events');
      await Promise.all(
        Array.from({ length: items }, (_, i) =>
          rt.get(queue).push({ type: 'progress', percent: ((i + 1) * 100) / items }),
        ),
      );
      await page.waitForFunction('window.__m.barDone > 0', undefined, {
        timeout: 120_000,
        polling: 100,
      });
      const barTo = await page.evaluate('window.__m.barDone');
      const m = await page.evaluate('window.__m');
      const tasksIn = (from, to) => m.tasks.filter(([start]) => start >= from && start <= to);
      const longest = (tasks) => tasks.reduce((max, [, d]) => Math.max(max, d), 0);
      const busy = (tasks) => tasks.reduce((sum, [, d]) => sum + d, 0);
      const barTimes = m.bar.filter((t) => t >= barFrom);
      let maxPerSecond = 0;
      for (let i = 0, j = 0; i < barTimes.length; i++) {
        while (barTimes[i] - barTimes[j] >= 1_000) j++;
        maxPerSecond = Math.max(maxPerSecond, i - j + 1);
      }
      result[major] = {
        items,
        rows: {
          events: rowsEvents,
          inOrder: rowOrder,
          ms: Math.round(rowsTo - rowsFrom),
          longestTaskMs: Math.round(longest(tasksIn(rowsFrom, rowsTo))),
          longTaskMs: Math.round(busy(tasksIn(rowsFrom, rowsTo))),
        },
        bar: {
          events: m.events - barEventsBefore,
          updates: barTimes.length,
          maxUpdatesPerSecond: maxPerSecond,
          lastShown: true,
          ms: Math.round(barTo - barFrom),
          longestTaskMs: Math.round(longest(tasksIn(barFrom, barTo))),
        },
      };
      ctx.log(
        `  browser htmx ${major}: ${items} rows in ${rowsEvents} events, ${result[major].rows.ms} ms, longest task ${result[major].rows.longestTaskMs || 'none over 50'} ms; ${items} bar updates -> ${barTimes.length} redraws (max ${maxPerSecond}/s), last shown`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
    await app.close();
  }
  return result;
}
