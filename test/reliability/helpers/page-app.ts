import { fileURLToPath } from 'node:url';
import { Controller, Get, Param, Query, Render } from '@nestjs/common';
import type { PlutoRtModuleOptions } from '../../../lib/index.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

/** Item templates of the reliability suites (`templatesDir` for the apps that use them). */
export const RELIABILITY_TEMPLATES = fileURLToPath(
  new URL('../../fixtures/reliability', import.meta.url),
);

/** Result pages that include the module's partials (views in test/fixtures/views/reliability). */
@Controller('rel')
class ReliabilityPages {
  @Get('sse/:queue')
  @Render('reliability/sse-page')
  sse(
    @Param('queue') queue: string,
    @Query('tpl') tpl = 'pluto_rt/list_item',
    @Query('mode') mode = 'append',
  ) {
    return { queue, tpl, mode };
  }

  @Get('poll/:queue')
  @Render('reliability/poll-page')
  poll(
    @Param('queue') queue: string,
    @Query('tpl') tpl = 'pluto_rt/list_item',
    @Query('mode') mode = 'append',
  ) {
    return { queue, tpl, mode };
  }
}

/** A test app with hbs views and the pages above: `${url}/rel/sse/<queue>?tpl=...`. */
export function startPageApp(options: PlutoRtModuleOptions = {}): Promise<TestApp> {
  return startTestApp({ mvc: true, controllers: [ReliabilityPages], options });
}
