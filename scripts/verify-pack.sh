#!/usr/bin/env bash
# Packs the library as npm would publish it, installs the tarball into a scratch ESM Nest 12
# app in a temp dir, and boots that app (test/fixtures/pack-app/main.js): it imports
# 'nestjs-pluto-rt' by name, pushes, completes and polls a queue, and exits 0; then
# testing-check.js unit-tests a provider with 'nestjs-pluto-rt/testing', without Redis, and
# Jest in ESM mode runs the README's processor test (test/readme-example/). Then
# scripts/verify-cjs-app.sh installs the same tarball into a CommonJS Nest 11 app as
# `nest new` makes it and runs its Jest tests (Jest 30 and 29) and plain require().
# Needs a Redis at REDIS_URL (default redis://127.0.0.1:6379). Cleans up its temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pluto-rt-pack.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "verify-pack: packing (prepack builds dist/)"
TARBALL="$WORK/$(npm pack --silent --pack-destination "$WORK" | tail -n 1)"
[ -f "$TARBALL" ] || { echo "verify-pack: npm pack made no tarball" >&2; exit 1; }

# Only the build ships: no sources, tests or sample.
CONTENTS=$(tar -tzf "$TARBALL")
# Both builds: ESM in dist/, CommonJS in dist/cjs/ (marked so by its package.json).
for build in dist dist/cjs; do
  for required in index.js index.d.ts testing/index.js testing/index.d.ts terminus/index.js \
    terminus/index.d.ts platform/package-require.cjs; do
    grep -qx "package/$build/$required" <<<"$CONTENTS" ||
      { echo "verify-pack: $build/$required missing from the tarball" >&2; exit 1; }
  done
done
for required in package/package.json package/dist/cjs/package.json; do
  grep -qx "$required" <<<"$CONTENTS" || { echo "verify-pack: $required missing from the tarball" >&2; exit 1; }
done
if grep -Eq '^package/(lib|test|sample|bench|scripts|node_modules)/' <<<"$CONTENTS"; then
  echo "verify-pack: the tarball holds more than the build:" >&2
  grep -E '^package/(lib|test|sample|bench|scripts|node_modules)/' <<<"$CONTENTS" | head >&2
  exit 1
fi

APP="$WORK/app"
mkdir -p "$APP"
cp -R test/fixtures/pack-app/. "$APP/"
# Kept as .txt in the repo so that the repo's own typecheck does not try to compile it.
mv "$APP/types-check.ts.txt" "$APP/types-check.ts"
# The app's dependencies: the tarball, and the versions this repo develops against (so that
# the install is served from the npm cache when it can be).
# The optional peers (@nestjs/terminus, prom-client) stay out: the app boots without them.
# The dev dependencies run the README's processor test under Jest in ESM mode.
node --input-type=module - "$ROOT" "$TARBALL" "$APP/package.json" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
const [root, tarball, target] = process.argv.slice(2);
const version = (name) => JSON.parse(readFileSync(`${root}/node_modules/${name}/package.json`, 'utf8')).version;
const peers = ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'rxjs', 'reflect-metadata', 'ioredis', 'hbs'];
const dependencies = { 'nestjs-pluto-rt': `file:${tarball}` };
for (const name of peers) dependencies[name] = version(name);
const dev = ['@nestjs/testing', '@nestjs/bullmq', 'bullmq', 'jest', 'ts-jest', '@types/jest', '@types/node', 'typescript'];
const devDependencies = Object.fromEntries(dev.map((name) => [name, version(name)]));
writeFileSync(target, JSON.stringify({ name: 'pluto-rt-pack-app', private: true, type: 'module', dependencies, devDependencies }, null, 2));
JS

echo "verify-pack: installing into a scratch app"
(cd "$APP" && npm install --no-audit --no-fund --prefer-offline --loglevel=error)

# The app must import the installed copy, not this checkout, and its ESM build.
INSTALLED=$(cd "$APP" && node --input-type=module -e "console.log(import.meta.resolve('nestjs-pluto-rt'))")
case "$INSTALLED" in
  "file://$APP/node_modules/nestjs-pluto-rt/dist/index.js") ;;
  *) echo "verify-pack: nestjs-pluto-rt resolves to $INSTALLED, not the installed ESM build" >&2; exit 1 ;;
esac

echo "verify-pack: type-checking a user's code against the published declarations"
"$ROOT/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck --target ES2022 \
  --module nodenext --moduleResolution nodenext --experimentalDecorators \
  --types node --typeRoots "$ROOT/node_modules/@types" "$APP/types-check.ts"
echo "verify-pack: the same code as CommonJS with moduleResolution node10 (main, types, typesVersions)"
"$ROOT/node_modules/.bin/tsc" --noEmit --strict --skipLibCheck --target ES2022 \
  --module commonjs --moduleResolution node10 --experimentalDecorators \
  --types node --typeRoots "$ROOT/node_modules/@types" "$APP/types-check.ts"

echo "verify-pack: booting the scratch app against $REDIS_URL"
# The app must also exit on its own: a handle left open by app.close() would hang it.
(cd "$APP" && timeout 60 node main.js)
echo "verify-pack: nestjs-pluto-rt/testing in a unit test, and loaded with ioredis refused"
(cd "$APP" && timeout 60 node testing-check.js)
(cd "$APP" && node --import "$ROOT/test/fixtures/refuse-ioredis/register.mjs" --input-type=module \
  -e "await import('nestjs-pluto-rt/testing')")
(cd "$APP" && node --require "$ROOT/test/fixtures/refuse-ioredis/refuse.cjs" \
  -e "require('nestjs-pluto-rt/testing')")
echo "verify-pack: the README's processor test under Jest in ESM mode"
cp test/readme-example/report.processor.ts test/readme-example/report.processor.spec.ts "$APP/"
(cd "$APP" && NODE_OPTIONS=--experimental-vm-modules npx jest --ci)

bash "$ROOT/scripts/verify-cjs-app.sh" "$TARBALL"
echo "verify-pack: OK"
