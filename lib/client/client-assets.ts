import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CLIENT_SCRIPT } from './client-script.js';
import { CLIENT_STYLE } from './client-style.js';
import packageRequire from '../platform/package-require.cjs';

/** A file the scripts partial loads, served with an immutable, versioned URL. */
export interface ClientAsset {
  body: Buffer;
  contentType: string;
  etag: string;
  /** Changes with the content, so the long cache is safe. */
  version: string;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/**
 * File name under `{prefix}/assets/` -> its source: htmx 2 with htmx-ext-sse 2 and
 * Idiomorph (htmx 2 has no morph of its own), htmx 4 (the `htmx4` alias of htmx.org 4) with
 * its hx-sse, and the module's own helper and style.
 */
const SOURCES: Record<string, { type: string; file?: string; text?: string }> = {
  'htmx.min.js': { type: JS, file: 'htmx.org/dist/htmx.min.js' },
  'htmx-ext-sse.js': { type: JS, file: 'htmx-ext-sse/dist/sse.min.js' },
  'idiomorph.min.js': { type: JS, file: 'idiomorph/dist/idiomorph.min.js' },
  'htmx4.min.js': { type: JS, file: 'htmx4/dist/htmx.min.js' },
  'htmx4-sse.js': { type: JS, file: 'htmx4/dist/ext/hx-sse.min.js' },
  'pluto-rt.js': { type: JS, text: CLIENT_SCRIPT },
  'pluto-rt.css': { type: CSS, text: CLIENT_STYLE },
};

let loaded: Map<string, ClientAsset> | undefined;

/** Read once per process, on first use. */
export function clientAssets(): Map<string, ClientAsset> {
  if (!loaded) {
    loaded = new Map(
      Object.entries(SOURCES).map(([name, source]) => {
        const body = source.file
          ? readFileSync(packageRequire.resolve(source.file))
          : Buffer.from(source.text!);
        const version = createHash('sha256').update(body).digest('base64url').slice(0, 12);
        return [name, { body, contentType: source.type, version, etag: `"${version}"` }];
      }),
    );
  }
  return loaded;
}

/** `/{prefix}/assets/{name}?v={version}`: the URL a page loads an asset from. */
export function assetUrl(routePrefix: string, name: string): string {
  const asset = clientAssets().get(name);
  if (!asset) throw new Error(`No client asset ${name}`);
  return `/${routePrefix}/assets/${name}?v=${asset.version}`;
}
