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

/**
 * Registers the partials `pluto_rt/scripts`, `pluto_rt/sse`, `pluto_rt/polling`,
 * `pluto_rt/group` and `pluto_rt/queue` with the app's hbs, so MVC views can include them.
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
      'pluto_rt/sse': (_, options) => ssePartial(options, this.rt, major),
      'pluto_rt/polling': (_, options) => pollingPartial(options, this.rt, major),
      'pluto_rt/group': (context, options) =>
        groupPartial(context, options, this.rt, major, (render) =>
          this.safely('pluto_rt/group', render),
        ),
      'pluto_rt/queue': (_, options) => queuePartial(options, checkQueue),
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
      const message = paramProblem(err);
      if (message === undefined) throw err;
      this.reportOnce(`${name}: ${message}`);
      return partialError(name, message);
    }
  }

  /** One log line per distinct mistake, not one per page view. */
  private reportOnce(line: string): void {
    if (this.reported.has(line)) return;
    this.reported.add(line);
    this.logger.error(`Partial ${line}`);
  }
}

/** What is wrong with the view's parameters, or undefined for any other failure (a bug). */
function paramProblem(err: unknown): string | undefined {
  if (err instanceof PartialParamError || err instanceof PartialUsageError) return err.message;
  if (err instanceof RtQueueNameError) return `parameter queue: ${err.message}`;
  if (err instanceof RtTemplateError) return `parameter item_template: ${err.message}`;
  return undefined;
}
