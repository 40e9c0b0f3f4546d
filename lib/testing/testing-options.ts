import type { PlutoRtConfig } from '../options/pluto-rt-config.js';
import type {
  PlutoRtModuleExtras,
  PlutoRtModuleOptions,
} from '../options/pluto-rt-options.interface.js';
import { resolveOptions } from '../options/resolve-options.js';
import { checkRoutePrefix } from '../options/route-prefix.js';
import { DEFAULTS } from '../options/defaults.js';

/**
 * The options of `PlutoRtTestingModule.forRoot()`: those of `PlutoRtModule.forRoot()` that
 * change what the API returns or refuses, checked by the same rules. Give the app's own
 * `secret` and `routePrefix` to get the URLs the app would sign.
 */
export interface PlutoRtTestingOptions
  extends
    Pick<
      PlutoRtModuleOptions,
      'secret' | 'urlTtlSeconds' | 'maxMessages' | 'maxMessageBytes' | 'templatesDir'
    >,
    PlutoRtModuleExtras {}

/** The options resolved; `checkTemplateFiles` when `templatesDir` was given. */
export interface PlutoRtTestingConfig {
  config: PlutoRtConfig;
  routePrefix: string;
  checkTemplateFiles: boolean;
}

export function resolveTestingOptions(options: PlutoRtTestingOptions = {}): PlutoRtTestingConfig {
  const { isGlobal: _isGlobal, routePrefix = DEFAULTS.routePrefix, ...moduleOptions } = options;
  checkRoutePrefix(routePrefix);
  // No secret in a test is fine: URLs are then signed with a random one, as in development.
  const config = resolveOptions({
    ...moduleOptions,
    insecureDevelopmentMode: moduleOptions.secret === undefined,
  });
  return { config, routePrefix, checkTemplateFiles: moduleOptions.templatesDir !== undefined };
}
