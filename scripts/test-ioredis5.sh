#!/usr/bin/env bash
# Runs the suites of a standalone Redis (and Sentinel) again with ioredis 5 (the floor of the
# peer range, 5.8.1: on 5.3, CI saw a reader's SUBSCRIBEs go unanswered after a Redis restart,
# never on 6; 5.8.0 and 5.8.1 fixed how sharded channels are subscribed again after a
# reconnect, redis/ioredis#2012 and #2021). A Redis Cluster needs ioredis 6
# (the module refuses cluster mode on 5 at boot): the suites that start a cluster, and the
# option tests that accept one, stay out, as do the browser suites (the sample, not the
# library). It swaps ioredis in node_modules without
# touching package.json or the lockfile, and puts the locked versions back (`npm ci`) on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'npm ci --no-audit --no-fund >/dev/null' EXIT
npm install --no-save --no-audit --no-fund ioredis@5.8.1
node -e 'console.log("ioredis", require("ioredis/package.json").version)'
npm run build
NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects standalone \
  --testPathIgnorePatterns '/node_modules/' '/test/browser/' 'cluster' 'topology-harness' \
  'ioredis-sharded-pubsub' 'wait-for-replicas' 'resolve-options' \
  'optional-peers-absent'
