import { cancelPartial } from './cancel-partial.js';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import hbs from 'hbs';
import { RtQueueNameError, RtTemplateError } from '../errors.js';
import { partialError } from '../markup/partial-error.js';
import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import { PLUTO_RT_CONFIG, PLUTO_RT_ROUTE_PREFIX } from '../pluto-rt.constants.js';
import { assertQueueName } from '../queue/queue-name.js';
import { TemplateRegistry } from '../render/template-registry.js';
import { RtQueueService } from '../rt-queue.service.js';
import { groupPartial, queuePartial } from './group-partials.js';
import { PartialParamError, PartialUsageError, type PartialOptions } from './partial-params.js';
import { pollingPartial, scriptsPartial, ssePartial } from './queue-partials.js';
import { routePartial } from './route-partials.js';

/**
 * Registers the partials `pluto_rt/scripts`, `pluto_rt/sse`, `pluto_rt/polling`,
 * `pluto_rt/group`, `pluto_rt/queue`, `pluto_rt/route` and `pluto_rt/cancel` with the app's hbs, so MVC views
 * can include them.
 * hbs partials are process-wide: with several apps in one process, the last one initialised
 * signs.
 */
@Injectable()
export class PartialsRegistrar implements OnModuleInit {
  constructor(
    private readonly rt: RtQueueService,
    private readonly templates: TemplateRegistry,
    @Inject(PLUTO_RT_ROUTE_PREFIX) private readonly routePrefix: string,
    @Inject(PLUTO_RT_CONFIG) private readonly config: PlutoRtConfig,
  ) {}

  private readonly logger = new Logger('PlutoRt');
  /**
   * The mistakes logged already, by partial and parameter, not by value: a view that
   * passes a queue name from the URL would otherwise keep (and log) every bad name a
   * client sends.
   */
  private readonly reported = new Set<string>();

  onModuleInit(): void {
    const major = this.config.htmx;
    const checkQueue = (queue: string, itemTemplate: string) => {
      assertQueueName(queue);
      this.templates.assertUsable(itemTemplate);
    };
    // Function partials read the include's own parameters (options.hash), not the view's
    // context merged in: a view's `id` or `count` must not leak into the stream element.
    // What they return is written unescaped.
    const partials: Record<string, (context: unknown, options: PartialOptions) => string> = {
      'pluto_rt/scripts': (_, options) => scriptsPartial(options, this.routePrefix, major),
      'pluto_rt/sse': (context, options) =>
        ssePartial(context, options, this.rt, major, (render) =>
          this.safely('pluto_rt/sse', render),
        ),
      'pluto_rt/polling': (context, options) =>
        pollingPartial(context, options, this.rt, major, (render) =>
          this.safely('pluto_rt/polling', render),
        ),
      'pluto_rt/group': (context, options) =>
        groupPartial(context, options, this.rt, major, (render) =>
          this.safely('pluto_rt/group', render),
        ),
      'pluto_rt/queue': (context, options) => queuePartial(context, options, checkQueue),
      'pluto_rt/route': (_, options) =>
        routePartial(options, (template) => this.templates.assertUsable(template)),
      'pluto_rt/cancel': (_, options) => cancelPartial(options, this.rt),
    };
    for (const [name, render] of Object.entries(partials)) {
      hbs.registerPartial(name, ((context: unknown, options: PartialOptions) =>
        this.safely(name, () => render(context, options))) as never);
    }
  }

  /** What `render` writes, or, for a mistake in the view's parameters, what is wrong. */
  private safely(name: string, render: () => string): string {
    try {
      return render();
    } catch (err) {
      const problem = paramProblem(err);
      if (problem === undefined) throw err;
      this.reportOnce(`${name} ${problem.param}`, `${name}: ${problem.message}`);
      return partialError(name, problem.message);
    }
  }

  /** One log line per partial and parameter that is wrong, not one per page view. */
  private reportOnce(key: string, line: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.logger.error(`Partial ${line} (logged once; every page shows its own)`);
  }
}

/** What is wrong with the view's parameters, or undefined for any other failure (a bug). */
function paramProblem(err: unknown): { param: string; message: string } | undefined {
  if (err instanceof PartialParamError) return { param: err.param, message: err.message };
  if (err instanceof PartialUsageError) return { param: err.message, message: err.message };
  if (err instanceof RtQueueNameError)
    return { param: 'queue', message: `parameter queue: ${err.message}` };
  if (err instanceof RtTemplateError)
    return { param: 'item_template', message: `parameter item_template: ${err.message}` };
  return undefined;
}
