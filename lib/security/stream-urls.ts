import type { StreamGrant } from './url-signer.js';

export type StreamRoute = 'sse' | 'poll';

/** `/{prefix}/{route}/{queue}?tpl=..&mode=..&exp=..&sig=..` plus any extra parameters. */
export function streamUrl(
  routePrefix: string,
  route: StreamRoute,
  grant: StreamGrant,
  signature: string,
  extra: Record<string, string> = {},
): string {
  const query = new URLSearchParams({
    tpl: grant.template,
    mode: grant.mode,
    exp: String(grant.expires),
    sig: signature,
    ...extra,
  });
  return `/${routePrefix}/${route}/${encodeURIComponent(grant.queue)}?${query.toString()}`;
}
