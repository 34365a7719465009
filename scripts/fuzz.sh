#!/usr/bin/env bash
# Builds (into build-fuzz: clang, ASan + UBSan, -O1) and runs one libFuzzer target of
# fuzz/CMakeLists.txt for SECONDS at nice 10, starting from fuzz/seeds/NAME and growing
# fuzz/corpus-NAME/ (not committed). Crashes, hangs and out-of-memory inputs land in
# fuzz/artifacts-NAME/; once fixed, keep them in tests/data/fuzz-regressions/NAME/.
#   scripts/fuzz.sh NAME [SECONDS [libFuzzer options...]]
set -euo pipefail
cd "$(dirname "$0")/.."
name=$1
seconds=${2:-300}
shift $(($# > 1 ? 2 : 1))
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DGREENBERT_FUZZ=ON \
    -DGREENBERT_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" > /dev/null
fi
nice -n 10 cmake --build build-fuzz --target "fuzz_$name"
mkdir -p "fuzz/corpus-$name" "fuzz/artifacts-$name"
# A torch.save file is a ZIP of pickles: its dictionary is both of theirs.
dicts=("fuzz/dicts/$name.dict")
[ "$name" = torch ] && dicts=(fuzz/dicts/zip.dict fuzz/dicts/pickle.dict)
dict=()
if [ -f "${dicts[0]}" ]; then
  cat "${dicts[@]}" > "build-fuzz/$name.dict"
  dict=("-dict=build-fuzz/$name.dict")
fi
exec nice -n 10 "build-fuzz/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 "${dict[@]}" -artifact_prefix="fuzz/artifacts-$name/" "$@" \
  "fuzz/corpus-$name" "fuzz/seeds/$name"
