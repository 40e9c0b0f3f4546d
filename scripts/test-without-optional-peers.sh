#!/usr/bin/env bash
# Runs the tests with neither optional peer dependency installed (@nestjs/terminus,
# prom-client): the main entry must load and every suite that does not use them must pass.
# It builds the library and the sample first (their health and metrics code compiles
# against the peers' types, as any build needs its dev dependencies), removes both packages
# from node_modules, checks that the built package loads without them, runs jest with
# PLUTO_RT_NO_OPTIONAL_PEERS=1 (jest.config.js then leaves out the suites that need them and
# runs test/e2e/optional-peers-absent.e2e.spec.ts), and restores node_modules with `npm ci`,
# also when something failed. Arguments go to jest (e.g. a few test files).
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

PLUTO_RT_NO_OPTIONAL_PEERS=1 NODE_OPTIONS=--experimental-vm-modules npx jest "$@"
