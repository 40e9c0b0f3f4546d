/** What the `routePrefix` option accepts: path segments of [A-Za-z0-9_-]. */
const ROUTE_PREFIX = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;

/** The module's check of `routePrefix` (and nestjs-pluto-rt/testing's, in the same words). */
export function checkRoutePrefix(routePrefix: string): string {
  if (!ROUTE_PREFIX.test(routePrefix)) {
    throw new Error(
      `PlutoRtModule option "routePrefix" must be path segments of [A-Za-z0-9_-], got ${JSON.stringify(routePrefix)}`,
    );
  }
  return routePrefix;
}
