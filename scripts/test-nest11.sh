#!/usr/bin/env bash
# Runs the whole test suite again against NestJS 11 (CommonJS), the other supported major,
# with Terminus 11 (its major for Nest 11) under the health tests.
# It swaps the Nest packages in node_modules without touching package.json or the lockfile,
# and puts NestJS 12 back (`npm ci`) on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'npm ci --no-audit --no-fund >/dev/null' EXIT
npm install --no-save --no-audit --no-fund \
  @nestjs/common@11.2.10 @nestjs/core@11.2.10 @nestjs/platform-express@11.2.10 \
  @nestjs/testing@11.2.6 @nestjs/bullmq@11.0.5 @nestjs/terminus@11.1.1
node -e 'for (const p of ["@nestjs/common", "@nestjs/core", "@nestjs/platform-express", "@nestjs/terminus"]) console.log(p, require(p + "/package.json").version)'
npm test
