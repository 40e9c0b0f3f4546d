import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import hbs from 'hbs';
import { PLUTO_RT_ROUTE_PREFIX } from '../pluto-rt.constants.js';
import { RtQueueService } from '../rt-queue.service.js';
import { pollingElement, scriptTags, sseElement, type PartialParams } from './page-markup.js';

/**
 * Registers the partials `pluto_rt/scripts`, `pluto_rt/sse` and `pluto_rt/polling` (and
 * the helpers behind them) with the app's hbs, so MVC views can include them. hbs helpers
 * are process-wide: with several apps in one process, the last one initialised signs.
 */
@Injectable()
export class PartialsRegistrar implements OnModuleInit {
  constructor(
    private readonly rt: RtQueueService,
    @Inject(PLUTO_RT_ROUTE_PREFIX) private readonly routePrefix: string,
  ) {}

  onModuleInit(): void {
    const { SafeString } = hbs.handlebars;
    const urlsFor = (params: PartialParams) =>
      this.rt.rtUrls(params.queue, { itemTemplate: params.item_template, mode: params.mode ?? 'append' });

    hbs.registerHelper('pluto_rt_scripts', () => new SafeString(scriptTags(this.routePrefix)));
    hbs.registerHelper('pluto_rt_sse', function (this: PartialParams) {
      return new SafeString(sseElement(this, urlsFor(this)));
    });
    hbs.registerHelper('pluto_rt_polling', function (this: PartialParams) {
      return new SafeString(pollingElement(this, urlsFor(this)));
    });
    hbs.registerPartial('pluto_rt/scripts', '{{pluto_rt_scripts}}');
    hbs.registerPartial('pluto_rt/sse', '{{pluto_rt_sse}}');
    hbs.registerPartial('pluto_rt/polling', '{{pluto_rt_polling}}');
  }
}
