#pragma once
// `greenbert bench` as a library call: classification timed for each model × precision × batch
// size, each configuration measured in its own child process (benchmark/bench_run.h, so that
// peak memory is per configuration), optionally next to the PyTorch and ONNX Runtime baselines
// on the same token ids, threads and batches (ONNX Runtime runs the model as `greenbert export
// --to onnx` writes it). The records go to a bench file (report/bench_records.h), a table to
// stdout, each configuration's energy to emissions.csv.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/precision.h"
#include "data/dataset.h"
#include "energy/energy_options.h"

namespace greenbert {

struct BenchOptions {
  std::vector<std::filesystem::path> models;  // model directories (fp32, or written by quantize)
  std::vector<std::string> presets;           // random weights, saved into the work directory
  std::filesystem::path vocab;                // vocab.txt for the presets
  std::vector<Precision> precisions = {Precision::fp32, Precision::bf16, Precision::int8};
  std::vector<int64_t> batch_sizes = {1, 4, 16};
  size_t max_length = 150;
  int64_t abstracts = 20;  // the timed set (the study's 20)
  int repeats = 10;
  int64_t throughput_rows = 0;  // 0: the whole test split
  int threads = 0;              // resolved by the caller (set_thread_count)
  ActivationType activations = ActivationType::u8;
  std::optional<Precision> attention;
  std::vector<std::string> calibration_texts;  // int8 copies: static activation scales
  std::filesystem::path out = "bench.json";
  std::filesystem::path work_dir;      // empty: bench-work beside `out`
  std::filesystem::path emissions;     // empty: emissions.csv beside `out`
  std::vector<std::string> baselines;  // pytorch, onnxruntime
  std::filesystem::path scripts = "scripts/baselines";
  std::string python = "/usr/bin/python3";
  std::string node = "node";
  // greenbert-export (cli/companion.h): the onnxruntime baseline runs the model it exports.
  std::filesystem::path exporter = "greenbert-export";
  EnergyOptions energy;
};

// Runs the benchmark over the test split (else validation split) of `dataset`. The caller has
// checked the options (at least one model or preset, a vocabulary for presets, known baselines,
// batch sizes >= 1). Throws greenbert::Error for a configuration that failed.
void run_bench(const BenchOptions& options, const Dataset& dataset);

// The child process's side: measures the configuration described in `configuration` (a JSON
// file run_bench wrote) and writes its point beside it (NAME.result.json).
void run_bench_worker(const std::filesystem::path& configuration);

}  // namespace greenbert
