#!/usr/bin/env bash
# The library, the unit tests that take seconds (tests/CMakeLists.txt lists them) and every fuzz
# replay, built at -O1 with AddressSanitizer and UndefinedBehaviorSanitizer into
# ./build-sanitize and run: any report fails the run (-fno-sanitize-recover=all, halt_on_error).
# CI runs it after scripts/test.sh, whose Release build every other test uses.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/compiler-cache.sh
cmake -S . -B build-sanitize -G Ninja -DGREENBERT_SANITIZE=ON -DGREENBERT_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" "${compiler_cache[@]}" "$@" \
  > build-sanitize.log 2>&1 ||
  { cat build-sanitize.log; exit 1; }
rm -f build-sanitize.log
cmake --build build-sanitize --target greenbert_tests fuzz_replays
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --test-dir build-sanitize --output-on-failure -j 2 --timeout 600
