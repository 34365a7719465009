// Benchmark JSON: `greenbert bench` records (a study's, or a baseline's under baselines/) as the
// report reads them, and the token-id inputs file bench hands to each configuration's child.
#include "benchmark/bench_run.h"
#include "json_mutator.h"
#include "report/bench_records.h"
#include "scratch.h"
#include "target.h"

namespace {
constexpr std::string_view kKeys[] = {"model_name",
                                      "precision",
                                      "f32",
                                      "fp32",
                                      "float32",
                                      "int8",
                                      "bf16",
                                      "abstracts",
                                      "model_size_mb",
                                      "cpp",
                                      "pytorch",
                                      "onnxruntime",
                                      "batch_size",
                                      "inference_time",
                                      "emissions",
                                      "memory_usage_mb",
                                      "throughput_seq_per_s",
                                      "latency_ms",
                                      "p50",
                                      "energy_per_1000_j",
                                      "energy_method",
                                      "rapl",
                                      "throughput"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto path = fuzz::scratch_file("bench.json", fuzz::as_text(data, size));
  fuzz::read_or_refuse([&] { read_bench_file(path); });
  fuzz::read_or_refuse([&] { load_bench_inputs(path); });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
