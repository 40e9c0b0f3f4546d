import { ConfigurableModuleBuilder } from '@nestjs/common';
import { createControllers } from './http/create-controllers.js';
import { PLUTO_RT_MODULE_OPTIONS, PLUTO_RT_ROUTE_PREFIX } from './pluto-rt.constants.js';
import { DEFAULTS } from './options/defaults.js';
import { checkRoutePrefix } from './options/route-prefix.js';
import type {
  PlutoRtModuleExtras,
  PlutoRtModuleOptions,
} from './options/pluto-rt-options.interface.js';

/**
 * `forRoot` / `forRootAsync`, and their extras: `isGlobal`, and `routePrefix`, under which
 * each import of the module mounts its own controllers (see createControllers).
 */
export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<PlutoRtModuleOptions>({
    moduleName: 'PlutoRt',
    optionsInjectionToken: PLUTO_RT_MODULE_OPTIONS,
  })
    .setClassMethodName('forRoot')
    .setExtras<PlutoRtModuleExtras>(
      { isGlobal: DEFAULTS.isGlobal, routePrefix: DEFAULTS.routePrefix },
      (definition, extras) => {
        const routePrefix = checkRoutePrefix(extras.routePrefix ?? DEFAULTS.routePrefix);
        return {
          ...definition,
          global: extras.isGlobal,
          controllers: createControllers(routePrefix),
          providers: [
            ...(definition.providers ?? []),
            { provide: PLUTO_RT_ROUTE_PREFIX, useValue: routePrefix },
          ],
        };
      },
    )
    .build();
