#!/usr/bin/env bash
# Fails when a C++ file of src/ tests/ bench/ fuzz/ differs from what clang-format makes of it
# (.clang-format), showing where. Fix with: clang-format -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format > /dev/null; then
  echo "check-format: clang-format is missing (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
git ls-files -z -- 'src/*.h' 'src/*.cpp' 'tests/*.h' 'tests/*.cpp' 'bench/*.h' 'bench/*.cpp' \
  'fuzz/*.h' 'fuzz/*.cpp' | xargs -0 clang-format --dry-run -Werror
echo "check-format: $(git ls-files -- src tests bench fuzz | grep -cE '\.(h|cpp)$') files formatted"
