#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite. Tests that need ../shared skip
# visibly when it is absent, and fail when CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
extra=()
[ "${CI:-}" = "true" ] && extra+=(-DGREENBERT_WERROR=ON)
scripts/build.sh "${extra[@]}"
# puppeteer-core for the browser test of serve's web page (the browser is Debian's chromium).
(cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund)
ctest --test-dir build --output-on-failure -j 2 --timeout 900
