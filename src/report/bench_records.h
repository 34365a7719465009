#pragma once
// Benchmark records: what `greenbert bench` writes (--out) and the study's report reads, in the
// original study's bert_models_benchmark.json schema, extended. A file holds a JSON array of
// records, one per model × precision:
//
//   {"format": "greenbert-bench", "version": 1, "model_name", "precision", "quantized",
//    "batch_sizes", "model_size_mb", "parameters", "threads",
//    "hardware": {"cpu", "isa", "physical_cores", "logical_cpus"}, "max_length", "abstracts",
//    "cpp": [points], "pytorch": [points], "onnxruntime": [points]}
//
// with one list of points per backend (greenbert's own is "cpp"; the baselines where measured),
// a point per batch size:
//
//   {"batch_size", "inference_time" (median seconds to classify the `abstracts` abstracts),
//    "min", "max", "emissions" (kg CO2eq for those abstracts), "memory_usage_mb" (peak RSS),
//    "cpu_time" (user + system seconds per pass), "throughput_seq_per_s", "throughput_sequences",
//    "latency_ms": {"p50", "p90", "p99"} (of one batch), "energy_per_1000_j", "energy_method",
//    "gemm_gops", "gemm_reference_gops", "gemm_efficiency", "gemm_time_share",
//    "gemm_implementation", "attention", "activations"}
//
// Keys a backend did not measure are absent; keys this file does not know (a baseline's
// "backend", "version") are kept. Records without "format" (the study's own files, baselines a
// user drops into a study's baselines/) are read as version 1.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/precision.h"

namespace greenbert {

inline constexpr const char* kBenchFormat = "greenbert-bench";
inline constexpr int kBenchVersion = 1;

struct BenchPoint {
  int64_t batch_size = 0;
  double inference_time = 0;
  std::optional<double> min, max;
  std::optional<double> emissions_kg;
  std::optional<double> memory_mb;
  std::optional<double> cpu_time;
  std::optional<double> throughput;
  std::optional<int64_t> throughput_sequences;
  std::optional<double> latency_p50_ms, latency_p90_ms, latency_p99_ms;
  std::optional<double> energy_per_1000_j;
  std::string energy_method;  // rapl | perf | estimated, or empty
  std::optional<double> gemm_gops, gemm_reference_gops, gemm_efficiency, gemm_time_share;
  std::string gemm_implementation;  // empty: not said
  std::string attention;            // fp32 | bf16, empty: not said
  std::string activations;          // int8: "u8-dynamic", "s8-static"...; empty otherwise
  nlohmann::ordered_json others = nlohmann::ordered_json::object();  // keys not listed above
};

struct BenchHardware {
  std::string cpu, isa;
  std::optional<int64_t> physical_cores, logical_cpus;
};

struct BenchRecord {
  std::string model;
  Precision precision = Precision::fp32;
  bool quantized = false;
  std::vector<int64_t> batch_sizes;
  std::optional<double> model_size_mb;
  std::optional<int64_t> parameters;
  std::optional<int64_t> threads;
  std::optional<BenchHardware> hardware;
  std::optional<int64_t> max_length;
  int64_t abstracts = 20;
  std::vector<std::pair<std::string, std::vector<BenchPoint>>> backends;  // in file order
  nlohmann::ordered_json others = nlohmann::ordered_json::object();       // keys not listed above

  const std::vector<BenchPoint>* backend(std::string_view name) const;
};

nlohmann::ordered_json to_json(const BenchPoint& point);
BenchPoint bench_point_from_json(const nlohmann::ordered_json& json);
nlohmann::ordered_json to_json(const BenchRecord& record);

// Reads a file holding one record or an array of them; throws greenbert::Error
// "FILE: record N: reason" for a record without model_name, precision or valid points, or of a
// newer version.
std::vector<BenchRecord> read_bench_file(const std::filesystem::path& file);
// Writes records as an array, atomically.
void write_bench_file(const std::filesystem::path& file, const std::vector<BenchRecord>& records);

// The point measured at `batch_size`, if any.
const BenchPoint* point_at(const std::vector<BenchPoint>& points, int64_t batch_size);

}  // namespace greenbert
