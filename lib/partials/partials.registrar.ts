import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { RtQueueNameError, RtTemplateError } from '../errors.js';
import hbs from 'hbs';
import { PLUTO_RT_ROUTE_PREFIX, RT_MODES } from '../pluto-rt.constants.js';
import { RtQueueService } from '../rt-queue.service.js';
import {
  PartialParamError,
  partialError,
  pollingElement,
  scriptTags,
  sseElement,
  type PartialParams,
} from './page-markup.js';

interface HashOptions {
  hash?: Record<string, unknown>;
}

/**
 * Registers the partials `pluto_rt/scripts`, `pluto_rt/sse` and `pluto_rt/polling` with the
 * app's hbs, so MVC views can include them. hbs partials are process-wide: with several
 * apps in one process, the last one initialised signs.
 */
@Injectable()
export class PartialsRegistrar implements OnModuleInit {
  constructor(
    private readonly rt: RtQueueService,
    @Inject(PLUTO_RT_ROUTE_PREFIX) private readonly routePrefix: string,
  ) {}

  private readonly logger = new Logger('PlutoRt');
  private readonly reported = new Set<string>();

  onModuleInit(): void {
    const urlsFor = (params: PartialParams) => {
      const mode = params.mode ?? 'append';
      if (!(RT_MODES as readonly string[]).includes(mode))
        throw new PartialParamError('mode', mode, `one of ${RT_MODES.join(', ')}`);
      return this.rt.rtUrls(params.queue, { itemTemplate: params.item_template, mode });
    };
    // Function partials get the include's own parameters (options.hash), not the view's
    // context merged in: a view's `id` or `count` must not leak into the stream element.
    // What they return is written unescaped.
    const partials: Record<string, (options: HashOptions) => string> = {
      'pluto_rt/scripts': () => scriptTags(this.routePrefix),
      'pluto_rt/sse': (options) => {
        const params = ownParams(options);
        return sseElement(params, urlsFor(params));
      },
      'pluto_rt/polling': (options) => {
        const params = ownParams(options);
        return pollingElement(params, urlsFor(params));
      },
    };
    for (const [name, render] of Object.entries(partials)) {
      hbs.registerPartial(name, ((_context: unknown, options: HashOptions) => {
        try {
          return render(options);
        } catch (err) {
          const message = paramProblem(err);
          if (message === undefined) throw err;
          this.reportOnce(`${name}: ${message}`);
          return partialError(name, message);
        }
      }) as never);
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
  if (err instanceof PartialParamError) return err.message;
  if (err instanceof RtQueueNameError) return `parameter queue: ${err.message}`;
  if (err instanceof RtTemplateError) return `parameter item_template: ${err.message}`;
  return undefined;
}

/** The include's parameters as strings (hbs literals like count=5 arrive as numbers). */
function ownParams({ hash = {} }: HashOptions): PartialParams {
  const text = (value: unknown) =>
    value === undefined || value === null ? undefined : String(value);
  return {
    queue: text(hash.queue) ?? '',
    item_template: text(hash.item_template) ?? '',
    target: text(hash.target),
    mode: text(hash.mode) as PartialParams['mode'],
    interval: text(hash.interval),
    count: hash.count === undefined ? undefined : Number(hash.count),
    id: text(hash.id),
  };
}
