# Sourced by the build scripts: when ccache is installed, compile through it, with paths taken
# relative to the repository (CCACHE_BASEDIR) and the build directory left out of the hash
# (CCACHE_NOHASHDIR), so a fresh clone anywhere reuses what an earlier build compiled from the
# same sources with the same flags. ccache only ever returns an object for identical input.
compiler_cache=()
if command -v ccache > /dev/null; then
  compiler_cache=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi
