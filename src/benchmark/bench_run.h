#pragma once
// One benchmark configuration (model directory × precision × batch size), measured in its own
// process so that its peak memory is its own: `greenbert bench` starts one child per
// configuration and collects what measure_configuration returns.
//
// Inputs are token ids prepared once by the parent (and shared with the PyTorch / ONNX Runtime
// baselines): the study's 20 abstracts and a larger set for throughput, each truncated to the
// same max length.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "energy/energy_options.h"
#include "infer/session.h"
#include "report/bench_records.h"

namespace greenbert {

struct BenchInputs {
  std::vector<std::vector<int32_t>> abstracts;   // the timed set (20 abstracts)
  std::vector<std::vector<int32_t>> throughput;  // the throughput set (test split)
};

// {"abstracts": [[ids]...], "throughput": [[ids]...]}
void save_bench_inputs(const std::filesystem::path& path, const BenchInputs& inputs);
BenchInputs load_bench_inputs(const std::filesystem::path& path);

struct BenchConfiguration {
  std::filesystem::path model;  // model directory (fp32 or quantized)
  Precision precision = Precision::fp32;
  ActivationType activations = ActivationType::u8;
  std::optional<Precision> attention;  // unset: the session's default
  int64_t batch_size = 1;
  int threads = 0;
  int repeats = 10;
  std::filesystem::path inputs;
  // emissions.csv for the phase bench-<precision>-b<N> (also its experiment_id); project_name
  // is the model's name, so that rows of several models stay apart.
  std::filesystem::path emissions;
  std::string project;
  EnergyOptions energy;
};

nlohmann::json to_json(const BenchConfiguration& c);
BenchConfiguration configuration_from_json(const nlohmann::json& json);

// Runs one configuration and returns its point of a bench record's "cpp" list
// (report/bench_records.h): the timed set's median, min and max time, its emissions, this
// process's peak RSS, CPU time per pass (wall time × threads when threads spin), throughput,
// latency percentiles of one batch, energy per 1,000 sequences, the GEMM rate against oneDNN
// alone on the same shapes, and the session's details.
BenchPoint measure_configuration(const BenchConfiguration& configuration);

// The rate (GOP/s) oneDNN reaches alone, with all threads and pre-packed weights, on the four
// Linear-layer shapes of `config` for `rows` tokens, weighted by their operation counts.
double reference_gemm_rate(const BertConfig& config, Precision precision,
                           ActivationType activations, int64_t rows);

}  // namespace greenbert
