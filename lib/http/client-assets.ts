import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CLIENT_SCRIPT } from './client-script.js';

const require = createRequire(import.meta.url);

/** A script the partials load, served from node_modules with an immutable, versioned URL. */
export interface ClientAsset {
  body: Buffer;
  etag: string;
  /** Changes with the content, so the long cache is safe. */
  version: string;
}

/** File name under `{prefix}/assets/` -> package file: htmx 2 and its SSE extension. */
const PACKAGE_FILES: Record<string, string> = {
  'htmx.min.js': 'htmx.org/dist/htmx.min.js',
  'htmx-ext-sse.js': 'htmx-ext-sse/dist/sse.min.js',
};

let loaded: Map<string, ClientAsset> | undefined;

/** Read once per process, on first use. */
export function clientAssets(): Map<string, ClientAsset> {
  if (!loaded) {
    const bodies = Object.entries(PACKAGE_FILES).map(
      ([name, specifier]) => [name, readFileSync(require.resolve(specifier))] as const,
    );
    bodies.push(['pluto-rt.js', Buffer.from(CLIENT_SCRIPT)]);
    loaded = new Map(
      bodies.map(([name, body]) => {
        const version = createHash('sha256').update(body).digest('base64url').slice(0, 12);
        return [name, { body, version, etag: `"${version}"` }];
      }),
    );
  }
  return loaded;
}
