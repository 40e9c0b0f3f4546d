import type { StreamGrant } from './url-signer.js';

export type StreamRoute = 'sse' | 'poll';

/**
 * `/{prefix}/{route}/{queue}?tpl=..&mode=..&exp=..&sig=..` plus any extra parameters. A JSON
 * grant has no `tpl`; its format follows from that (and `format=json` may still be added).
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
    sig: signature,
    ...extra,
  });
  return `/${routePrefix}/${route}/${encodeURIComponent(grant.queue)}?${query.toString()}`;
}
