#!/usr/bin/env bash
# Configures (once) and builds greenbert in Release into ./build. Extra arguments go to cmake's
# configure step, e.g. scripts/build.sh -DGREENBERT_WERROR=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/compiler-cache.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${compiler_cache[@]}" "$@" \
  > build-configure.log 2>&1 ||
  { cat build-configure.log; exit 1; }
rm -f build-configure.log
cmake --build build
