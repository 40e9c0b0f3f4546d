#!/usr/bin/env bash
# Installs the packed library into a scratch CommonJS NestJS 11 app made as `nest new` makes
# it: its package.json's jest block and its tsconfig.json are @nestjs/schematics 11's own
# template files, unchanged (template variables filled in). In it:
#   - tsc type-checks the app (the README's processor and test) against the declarations;
#   - `npx jest` runs the README's processor test (test/readme-example/) and
#     entry-points.spec.ts (the entry points load from the CommonJS build, one copy of the
#     package, /terminus binds to the app's @nestjs/terminus), on Jest 30 and on Jest 29;
#   - plain node require()s the three entry points and boots the module against Redis.
# Usage: scripts/verify-cjs-app.sh [tarball]   (packs this checkout when no tarball is given)
# Needs a Redis at REDIS_URL (default redis://127.0.0.1:6379). Cleans up its temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
NEST11=11.2.10 # as scripts/test-nest11.sh
SCHEMATICS=11.1.0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pluto-rt-cjs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [ $# -ge 1 ]; then
  TARBALL=$(realpath "$1")
else
  echo "verify-cjs-app: packing (prepack builds dist/)"
  TARBALL="$WORK/$(npm pack --silent --pack-destination "$WORK" | tail -n 1)"
fi
[ -f "$TARBALL" ] || { echo "verify-cjs-app: no tarball at $TARBALL" >&2; exit 1; }

echo "verify-cjs-app: the app template of @nestjs/schematics $SCHEMATICS (nest new)"
TEMPLATE=package/dist/lib/application/files/ts
(cd "$WORK" && npm pack --silent --prefer-offline "@nestjs/schematics@$SCHEMATICS" >/dev/null &&
  tar -xzf "nestjs-schematics-$SCHEMATICS.tgz" "$TEMPLATE/package.json" "$TEMPLATE/tsconfig.json")

APP="$WORK/app"
mkdir -p "$APP/src"
# The app's dependencies replace the template's (no CLI, linters or e2e tooling): Nest 11
# and its BullMQ and Terminus majors, the peers at the versions this repo develops against
# (served from the npm cache when it can), and the tarball. Everything else, "jest" above
# all, stays as nest new writes it.
node --input-type=module - "$ROOT" "$TARBALL" "$WORK/$TEMPLATE" "$APP" "$NEST11" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
const [root, tarball, template, app, nest11] = process.argv.slice(2);
const version = (name) =>
  JSON.parse(readFileSync(`${root}/node_modules/${name}/package.json`, 'utf8')).version;
const fill = (text, values) =>
  text.replace(/<%= (\w+) %>/g, (_, key) => {
    if (!(key in values)) throw new Error(`template variable ${key} has no value`);
    return values[key];
  });

const pkg = JSON.parse(
  fill(readFileSync(`${template}/package.json`, 'utf8'), {
    name: 'pluto-rt-cjs-app',
    version: '0.0.1',
    description: '',
    author: '',
  }),
);
const expectedJest = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: 'src',
  testRegex: '.*\\.spec\\.ts$',
  transform: { '^.+\\.(t|j)s$': 'ts-jest' },
  collectCoverageFrom: ['**/*.(t|j)s'],
  coverageDirectory: '../coverage',
  testEnvironment: 'node',
};
if (JSON.stringify(pkg.jest) !== JSON.stringify(expectedJest) || 'type' in pkg) {
  throw new Error(`the nest new template changed: ${JSON.stringify(pkg.jest)}`);
}
pkg.dependencies = {
  '@nestjs/common': nest11,
  '@nestjs/core': nest11,
  '@nestjs/platform-express': nest11,
  '@nestjs/bullmq': '11.0.5',
  '@nestjs/terminus': '11.1.1',
  'nestjs-pluto-rt': `file:${tarball}`,
};
for (const name of ['bullmq', 'ioredis', 'hbs', 'rxjs', 'reflect-metadata'])
  pkg.dependencies[name] = version(name);
pkg.devDependencies = { '@nestjs/testing': '11.2.6' };
for (const name of ['jest', 'ts-jest', '@types/jest', '@types/node', 'typescript'])
  pkg.devDependencies[name] = version(name);
writeFileSync(`${app}/package.json`, JSON.stringify(pkg, null, 2));
// nest new's default is --strict false.
writeFileSync(
  `${app}/tsconfig.json`,
  fill(readFileSync(`${template}/tsconfig.json`, 'utf8'), { strict: 'false' }),
);
JS

# The README's processor and its unit test, as a CommonJS app imports a sibling file
# (without the .js that the ESM repo needs: Jest's CommonJS resolver finds no such file).
cp test/readme-example/report.processor.ts "$APP/src/"
sed "s#from './report.processor.js';#from './report.processor';#" \
  test/readme-example/report.processor.spec.ts >"$APP/src/report.processor.spec.ts"
grep -q "from './report.processor';" "$APP/src/report.processor.spec.ts" ||
  { echo "verify-cjs-app: the README's test no longer imports './report.processor.js'" >&2; exit 1; }
cp test/fixtures/cjs-app/entry-points.spec.ts.txt "$APP/src/entry-points.spec.ts"
cp test/fixtures/cjs-app/require-check.cjs test/fixtures/pack-app/app-check.mjs "$APP/"
cp -R test/fixtures/pack-app/views "$APP/"

echo "verify-cjs-app: installing into a scratch CommonJS Nest $NEST11 app"
(cd "$APP" && npm install --no-audit --no-fund --prefer-offline --loglevel=error)

echo "verify-cjs-app: type-checking the app (nest new's tsconfig)"
(cd "$APP" && npx tsc --noEmit -p tsconfig.json)

# Jest must run both suites (7 tests) and pass them all.
run_jest() {
  echo "verify-cjs-app: npx jest (jest $(cd "$APP" && node -p 'require("jest/package.json").version'))"
  (cd "$APP" && npx jest --ci --json --outputFile="$WORK/jest.json")
  node -e '
    const r = require(process.argv[1]);
    const ok = r.success && r.numTotalTestSuites === 2 && r.numPassedTests === 7 && r.numTotalTests === 7;
    if (!ok) {
      console.error(`verify-cjs-app: expected 2 suites and 7 passed tests, got ${r.numTotalTestSuites} suites, ${r.numPassedTests}/${r.numTotalTests} tests`);
      process.exit(1);
    }
  ' "$WORK/jest.json"
}
run_jest

echo "verify-cjs-app: plain require() and a boot against $REDIS_URL"
(cd "$APP" && timeout 60 node require-check.cjs)

# A fresh install, as a Jest 29 app has it (swapping jest in place leaves ts-jest's optional
# peer jest-util nested where ts-jest cannot find it).
echo "verify-cjs-app: the same app on Jest 29"
(cd "$APP" && rm -rf node_modules package-lock.json &&
  node -e '
    const fs = require("node:fs");
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
    Object.assign(pkg.devDependencies, { jest: "^29.7.0", "@types/jest": "^29.5.0" });
    fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));
  ' &&
  npm install --no-audit --no-fund --prefer-offline --loglevel=error)
run_jest
echo "verify-cjs-app: OK"
