import { ConfigurableModuleBuilder } from '@nestjs/common';
import { createControllers } from './http/create-controllers.js';
import { PLUTO_RT_ROUTE_PREFIX } from './pluto-rt.constants.js';
import { checkRoutePrefix } from './options/route-prefix.js';
import type {
  PlutoRtModuleExtras,
  PlutoRtModuleOptions,
} from './options/pluto-rt-options.interface.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: PLUTO_RT_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PlutoRtModuleOptions>({ moduleName: 'PlutoRt' })
  .setClassMethodName('forRoot')
  .setExtras<PlutoRtModuleExtras>(
    { isGlobal: false, routePrefix: 'pluto-rt' },
    (definition, extras) => {
      const routePrefix = checkRoutePrefix(extras.routePrefix ?? 'pluto-rt');
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
