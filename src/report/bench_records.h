#pragma once
// `greenbert bench` output as the report reads it: a JSON array of records, one per model x
// precision, each with one list of points per backend ("cpp", and the baselines "pytorch",
// "onnxruntime" where measured), in the study's bert_models_benchmark.json schema extended by
// bench (see TASK-infer.md's formats). Keys a backend did not measure are simply absent.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/precision.h"

namespace greenbert {

struct BenchPoint {
  int batch_size = 0;
  double inference_time = 0;           // seconds to classify `abstracts` abstracts (median)
  std::optional<double> emissions_kg;  // for those abstracts
  std::optional<double> memory_mb;     // peak resident memory of the configuration
  std::optional<double> throughput;    // sequences per second
  std::optional<double> latency_p50_ms;
  std::optional<double> energy_per_1000_j;
  std::string energy_method;  // rapl | perf | estimated, or empty
};

struct BenchRecord {
  std::string model;
  Precision precision = Precision::fp32;
  int abstracts = 20;
  std::optional<double> model_size_mb;
  std::vector<std::pair<std::string, std::vector<BenchPoint>>> backends;  // in file order
  nlohmann::ordered_json json;                                            // the record as read

  const std::vector<BenchPoint>* backend(std::string_view name) const;
};

// Reads a file holding one record or an array of them; throws greenbert::Error
// "FILE: record N: reason" for a record without model_name, precision or valid points.
std::vector<BenchRecord> read_bench_file(const std::filesystem::path& file);

// The point measured at `batch_size`, if any.
const BenchPoint* point_at(const std::vector<BenchPoint>& points, int batch_size);

}  // namespace greenbert
