import { encodeRoute } from '../markup/route.js';
import { encodeMember, type GroupGrant } from './group-grant.js';
import type { StreamGrant } from './url-signer.js';

export type StreamRoute = 'sse' | 'poll';

/**
 * `/{prefix}/{route}/{queue}?tpl=..&mode=..&exp=..&sig=..` plus any extra parameters; a
 * routed grant adds its default route's target and keep (`into`, `keep`) and one `route`
 * per type. A JSON grant has no `tpl`; its format follows from that (and `format=json` may
 * still be added).
 */
export function streamUrl(
  routePrefix: string,
  route: StreamRoute,
  grant: StreamGrant,
  signature: string,
  extra: Record<string, string> = {},
): string {
  const query = new URLSearchParams({
    ...(grant.template === '' ? {} : { tpl: grant.template }),
    mode: grant.mode,
    exp: String(grant.expires),
  });
  const [defaultRoute, ...byType] = grant.routes ?? [];
  if (defaultRoute) {
    query.set('into', defaultRoute.target);
    query.set('keep', String(defaultRoute.keep));
    for (const typed of byType) query.append('route', encodeRoute(typed));
  }
  query.set('sig', signature);
  for (const [name, value] of Object.entries(extra)) query.set(name, value);
  return `/${routePrefix}/${route}/${encodeURIComponent(grant.queue)}?${query.toString()}`;
}

/**
 * `/{prefix}/group/{route}?q=<member>&q=...&exp=..&sig=..` plus any extra parameters: one
 * `q` per queue, in the group's order (see encodeMember).
 */
export function groupUrl(
  routePrefix: string,
  route: StreamRoute,
  grant: GroupGrant,
  signature: string,
  extra: Record<string, string> = {},
): string {
  const query = new URLSearchParams(
    grant.members.map((member): [string, string] => ['q', encodeMember(member)]),
  );
  query.set('exp', String(grant.expires));
  query.set('sig', signature);
  for (const [name, value] of Object.entries(extra)) query.set(name, value);
  return `/${routePrefix}/group/${route}?${query.toString()}`;
}
