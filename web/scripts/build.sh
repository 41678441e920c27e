#!/bin/sh
# Builds the UI into $1 (CMake's BUILD/web). The packages come from `npm ci` in
# scripts/install-deps (the README's commands run it first): the build itself never
# downloads, and says so when they are missing or older than the lock file.
set -eu
out="$1"
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "web: the npm packages are missing or older than web/package-lock.json;" >&2
  echo "web: run scripts/install-deps (or configure with -DCALYPSO_BUILD_WEB=OFF)" >&2
  exit 1
fi
CALYPSO_WEB_OUT="$out" npm run --silent build
