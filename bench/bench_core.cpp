// Placeholder-free smallest benchmark: reading a file through read_file, the entry to every
// data path.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "core/atomic_file.h"

static void BM_ReadFile(benchmark::State& state) {
  auto path = std::filesystem::temp_directory_path() / "greenbert-bench-read.bin";
  greenbert::write_file_atomically(path, std::string(static_cast<size_t>(state.range(0)), 'x'));
  for (auto _ : state) benchmark::DoNotOptimize(greenbert::read_file(path));
  state.SetBytesProcessed(state.iterations() * state.range(0));
  std::filesystem::remove(path);
}
BENCHMARK(BM_ReadFile)->Arg(1 << 20)->Arg(64 << 20);

BENCHMARK_MAIN();
