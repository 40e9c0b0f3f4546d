// What the module's web app and its worker share: the build to load and PlutoRtModule's options.
import { fileURLToPath, pathToFileURL } from 'node:url';

const TEMPLATES = fileURLToPath(new URL('../views', import.meta.url));

/** The package, or with BENCH_MODULE_DIST=/path/to/dist another build (e.g. a proposed patch). */
export function loadModule() {
  return import(
    process.env.BENCH_MODULE_DIST
      ? pathToFileURL(`${process.env.BENCH_MODULE_DIST}/index.js`).href
      : 'nestjs-pluto-rt'
  );
}

export function moduleOptions({ redisUrl, prefix, clientName, keepaliveMs, commandTimeoutMs }) {
  return {
    redis: { url: redisUrl },
    secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    keyPrefix: prefix,
    clientName,
    templatesDir: TEMPLATES,
    keepaliveMs,
    maxStreams: 100_000,
    maxMessages: 1_000_000,
    // A push waits for its reply behind the fan-out writes of the same process; the
    // default 5 s can pass during the biggest fan-out burst on a busy 2-core machine.
    // The outage measurement sets its own.
    commandTimeoutMs: commandTimeoutMs ?? 30_000,
  };
}
