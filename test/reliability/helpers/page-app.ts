import { fileURLToPath } from 'node:url';
import { Controller, Get, Param, Query, Render } from '@nestjs/common';
import type { PlutoRtModuleOptions } from '../../../lib/index.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

/** Item templates of the reliability suites (`templatesDir` for the apps that use them). */
export const RELIABILITY_TEMPLATES = fileURLToPath(
  new URL('../../fixtures/reliability', import.meta.url),
);

/** The view context every page gets: `?htmx=4` picks the page's htmx major (plutoRtHtmx). */
function pageMajor(htmx?: string): { plutoRtHtmx?: number } {
  return htmx ? { plutoRtHtmx: Number(htmx) } : {};
}

/** Queue i of a page that shows several (names joined by "."), into `#q<i>`. */
function membersOf(queues: string) {
  return queues.split('.').map((queue, i) => ({
    queue,
    id: `q${i}`,
    target: `#q${i}`,
    sseId: `sse-q${i}`,
  }));
}

/** Result pages that include the module's partials (views in test/fixtures/views/reliability). */
@Controller('rel')
class ReliabilityPages {
  @Get('sse/:queue')
  @Render('reliability/sse-page')
  sse(
    @Param('queue') queue: string,
    @Query('tpl') tpl = 'pluto_rt/list_item',
    @Query('mode') mode = 'append',
    @Query('htmx') htmx?: string,
  ) {
    return { queue, tpl, mode, ...pageMajor(htmx) };
  }

  @Get('poll/:queue')
  @Render('reliability/poll-page')
  poll(
    @Param('queue') queue: string,
    @Query('tpl') tpl = 'pluto_rt/list_item',
    @Query('mode') mode = 'append',
    @Query('htmx') htmx?: string,
  ) {
    return { queue, tpl, mode, ...pageMajor(htmx) };
  }

  /** Every queue over one connection (`?transport=polling`: one poller). */
  @Get('group/:queues')
  @Render('reliability/group-page')
  group(
    @Param('queues') queues: string,
    @Query('tpl') tpl = 'pluto_rt/list_item',
    @Query('transport') transport = 'sse',
    @Query('htmx') htmx?: string,
  ) {
    return { members: membersOf(queues), tpl, transport, ...pageMajor(htmx) };
  }

  /** The same page built from one SSE element per queue. */
  @Get('singles/:queues')
  @Render('reliability/singles-page')
  singles(
    @Param('queues') queues: string,
    @Query('tpl') tpl = 'pluto_rt/list_item',
    @Query('htmx') htmx?: string,
  ) {
    return { members: membersOf(queues), tpl, ...pageMajor(htmx) };
  }

  /** Where the pages' link leads. */
  @Get('elsewhere')
  @Render('reliability/elsewhere')
  elsewhere() {
    return {};
  }
}

/** A test app with hbs views and the pages above: `${url}/rel/sse/<queue>?tpl=...`. */
export function startPageApp(options: PlutoRtModuleOptions = {}): Promise<TestApp> {
  return startTestApp({ mvc: true, controllers: [ReliabilityPages], options });
}
