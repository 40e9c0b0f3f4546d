#!/usr/bin/env bash
# Runs the tests with neither optional peer dependency installed (@nestjs/terminus,
# prom-client): the main entry must load and every suite that does not use them must pass.
# It builds the library and the sample first (their health and metrics code compiles
# against the peers' types, as any build needs its dev dependencies), removes both packages
# from node_modules, checks that the built package loads without them (by import and by
# require), runs jest with PLUTO_RT_NO_OPTIONAL_PEERS=1 (jest.config.js then leaves out the
# suites that need them and runs test/e2e/optional-peers-absent.e2e.spec.ts), and restores
# node_modules with `npm ci`, also when something failed. Arguments go to jest (e.g. a few
# test files).
set -euo pipefail
cd "$(dirname "$0")/.."

restore() {
  echo "== restoring node_modules (npm ci)"
  npm ci --no-audit --no-fund >/dev/null
}
trap restore EXIT

npm run build
npm run sample:build
rm -rf node_modules/@nestjs/terminus node_modules/prom-client

node --input-type=module -e '
const missing = async (specifier) => {
  try {
    await import(specifier);
  } catch (err) {
    if (err.code === "ERR_MODULE_NOT_FOUND" && err.message.includes(specifier)) return;
    throw err;
  }
  throw new Error(`${specifier} is still installed`);
};
await missing("@nestjs/terminus");
await missing("prom-client");
const main = await import("nestjs-pluto-rt");
if (typeof main.PlutoRtModule !== "function" || typeof main.RtQueueService !== "function")
  throw new Error("nestjs-pluto-rt loaded without its exports");
// The Terminus entry point is the one that needs @nestjs/terminus, and says so.
const terminus = await import("nestjs-pluto-rt/terminus").then(() => null, (err) => err);
if (!terminus?.message.includes("@nestjs/terminus"))
  throw new Error(`nestjs-pluto-rt/terminus should fail for want of @nestjs/terminus: ${terminus}`);
console.log("nestjs-pluto-rt loads without @nestjs/terminus and prom-client");
'
# The same through require(): the CommonJS build (dist/cjs), which a CommonJS app loads.
node -e '
const missing = (specifier) => {
  try {
    require(specifier);
  } catch (err) {
    if (err.code === "MODULE_NOT_FOUND" && err.message.includes(specifier)) return;
    throw err;
  }
  throw new Error(`${specifier} is still installed`);
};
missing("@nestjs/terminus");
missing("prom-client");
if (!require.resolve("nestjs-pluto-rt").endsWith("/dist/cjs/index.js"))
  throw new Error(`require("nestjs-pluto-rt") loads ${require.resolve("nestjs-pluto-rt")}`);
const main = require("nestjs-pluto-rt");
if (typeof main.PlutoRtModule !== "function" || typeof main.RtQueueService !== "function")
  throw new Error("the CommonJS build loaded without its exports");
let terminus = null;
try {
  require("nestjs-pluto-rt/terminus");
} catch (err) {
  terminus = err;
}
if (!terminus?.message.includes("@nestjs/terminus"))
  throw new Error(`nestjs-pluto-rt/terminus should fail for want of @nestjs/terminus: ${terminus}`);
console.log("the CommonJS build loads without @nestjs/terminus and prom-client");
'

# bullmq (and @nestjs/bullmq), needed only by `followJobs`: the package loads without them
# too. They are put back at once: the sample and the job suites below use them.
aside=$(mktemp -d)
mv node_modules/bullmq "$aside/bullmq" && mv node_modules/@nestjs/bullmq "$aside/nestjs-bullmq"
node --input-type=module -e '
await import("bullmq").then(() => { throw new Error("bullmq is still installed"); }, () => undefined);
const main = await import("nestjs-pluto-rt");
if (typeof main.PlutoRtModule !== "function") throw new Error("nestjs-pluto-rt did not load");
console.log("nestjs-pluto-rt loads without bullmq and @nestjs/bullmq");
' && node -e 'require("nestjs-pluto-rt"); console.log("the CommonJS build too")'
mv "$aside/bullmq" node_modules/bullmq && mv "$aside/nestjs-bullmq" node_modules/@nestjs/bullmq
rmdir "$aside"

PLUTO_RT_NO_OPTIONAL_PEERS=1 NODE_OPTIONS=--experimental-vm-modules npx jest "$@"
