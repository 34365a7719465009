// Checkpoint loading speed and memory: open + read every tensor of a 256 MiB safetensors file
// (F32, or BF16/F16 widened to float32 on the way), against plain read_file of the same bytes.
// Files are generated once in the temp directory (page cache warm: this measures the loader,
// not the disk) and removed at exit.
//
// Memory: counters rss_open_MiB and rss_read_MiB are the growth of the resident set after
// open() and after touching every tensor; with mmap the first stays near zero (the header
// only) and the second is file pages, shared with the page cache and released at close.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/system_info.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"

namespace {

using namespace greenbert;

constexpr int64_t kRows = 1024, kCols = 1024;  // 4 MiB of F32 per tensor
constexpr int kTensors = 64;                   // 256 MiB of F32 per file

std::filesystem::path bench_file(DType dtype) {
  return std::filesystem::temp_directory_path() /
         cat("greenbert-bench-io-", dtype_name(dtype), ".safetensors");
}

// Every tensor views the same small buffer, so generating the file costs no memory.
void generate(DType dtype) {
  std::vector<std::byte> block(static_cast<size_t>(kRows * kCols) * dtype_size(dtype));
  for (size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::byte>((i * 131) >> 3);
  std::vector<NamedTensor> tensors;
  for (int t = 0; t < kTensors; ++t) {
    tensors.push_back({cat("encoder.layer.", t, ".weight"), {dtype, {kRows, kCols}, block}});
  }
  write_safetensors(bench_file(dtype), tensors);
}

DType dtype_arg(const benchmark::State& state) {
  const DType dtypes[] = {DType::F32, DType::BF16, DType::F16};
  return dtypes[state.range(0)];
}

void BM_OpenHeaderOnly(benchmark::State& state) {
  auto path = bench_file(dtype_arg(state));
  for (auto _ : state) benchmark::DoNotOptimize(TensorFile::open(path).tensors().size());
  state.SetLabel(std::string(dtype_name(dtype_arg(state))));
}

// open + every tensor converted to float32 into one reused buffer (what model loading does).
void BM_OpenAndReadAll(benchmark::State& state) {
  DType dtype = dtype_arg(state);
  auto path = bench_file(dtype);
  std::vector<float> values(static_cast<size_t>(kRows * kCols));
  double rss_open = 0, rss_read = 0;
  for (auto _ : state) {
    double before = current_rss_mib();
    auto file = TensorFile::open(path);
    rss_open = current_rss_mib() - before;
    for (const auto& tensor : file.tensors()) {
      to_float32(tensor.view.dtype, tensor.view.bytes, values);
      benchmark::DoNotOptimize(values.data());
    }
    rss_read = current_rss_mib() - before;
  }
  auto file_bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  state.SetBytesProcessed(state.iterations() * file_bytes);
  state.counters["rss_open_MiB"] = rss_open;
  state.counters["rss_read_MiB"] = rss_read;
  state.counters["peak_rss_MiB"] = peak_rss_mib();
  state.SetLabel(cat(dtype_name(dtype), ", ", file_bytes >> 20, " MiB file"));
}

// Baseline: the same bytes read into one heap buffer (a second copy of the model).
void BM_ReadFileBaseline(benchmark::State& state) {
  auto path = bench_file(DType::F32);
  for (auto _ : state) benchmark::DoNotOptimize(read_file(path).size());
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(std::filesystem::file_size(path)));
}

BENCHMARK(BM_OpenHeaderOnly)->Arg(0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OpenAndReadAll)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReadFileBaseline)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) generate(dtype);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (DType dtype : {DType::F32, DType::BF16, DType::F16})
    std::filesystem::remove(bench_file(dtype));
  return 0;
}
