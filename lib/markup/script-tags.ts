import { assetUrl } from '../client/client-assets.js';
import { escapeAttr } from './html.js';
import { HTMX_DIALECTS, type HtmxMajor } from './htmx-dialect.js';

/**
 * The `<head>` tags of the scripts partial, all from the module's asset route: the style of
 * its notices, htmx and its SSE extension of `htmx`'s major (none for `false`: a page that
 * loads htmx itself), and the helper. htmx loads before its extension, which registers
 * itself with it.
 */
export function scriptTags(routePrefix: string, htmx: HtmxMajor | false): string {
  const scripts = [...(htmx === false ? [] : HTMX_DIALECTS[htmx].scripts), 'pluto-rt.js'];
  return [
    `<link rel="stylesheet" href="${escapeAttr(assetUrl(routePrefix, 'pluto-rt.css'))}">`,
    ...scripts.map((name) => `<script src="${escapeAttr(assetUrl(routePrefix, name))}"></script>`),
  ].join('\n');
}
