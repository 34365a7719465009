#include "benchmark/bench_suite.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "benchmark/bench_run.h"
#include "core/atomic_file.h"
#include "core/child_process.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/system_info.h"
#include "data/encode_example.h"
#include "infer/model_quantizer.h"
#include "model/linear_model.h"
#include "model/model_directory.h"
#include "report/bench_records.h"

namespace greenbert {
namespace {

// Runs a command (argv[0] searched in PATH) and waits; its output goes to ours. 128 + N when
// signal N killed it, as shells say.
int run_command(const std::vector<std::string>& command) {
  return run_process(command).exit_code;
}

// A model to benchmark: its name and the directory of each precision it runs at.
struct BenchModel {
  std::string name;
  std::map<Precision, std::filesystem::path> dirs;
  std::filesystem::path fp32_dir;  // for the baselines; empty when only a quantized dir was given
};

// The directory of every requested precision: the given one, or quantized from it into the work
// directory (with the calibration texts, if any).
BenchModel prepare_model(const std::string& name, const ModelDirectory& dir,
                         const BenchOptions& options, const std::filesystem::path& work) {
  BenchModel model{name, {}, {}};
  if (dir.kind == ModelKind::linear) {  // fp32 only: no quantized copy, no baseline runtime
    model.dirs[Precision::fp32] = dir.path;
    for (Precision p : options.precisions)
      if (p != Precision::fp32)
        std::fprintf(stderr, "bench: %s is a linear model (fp32 only); skipping %s\n",
                     dir.path.c_str(), precision_name(p));
    return model;
  }
  const Precision own = dir.require_weights().precision();
  if (own != Precision::fp32) {
    model.dirs[own] = dir.path;
    for (Precision p : options.precisions)
      if (p != own)
        std::fprintf(stderr, "bench: %s is a %s model; skipping %s\n", dir.path.c_str(),
                     precision_name(own), precision_name(p));
    return model;
  }
  model.fp32_dir = dir.path;
  for (Precision p : options.precisions) {
    if (p == Precision::fp32) {
      model.dirs[p] = dir.path;
      continue;
    }
    QuantizeOptions quantize;
    quantize.precision = p;
    quantize.activations = options.activations;
    quantize.max_length = options.max_length;
    quantize.threads = options.threads;
    if (p == Precision::int8) quantize.calibration_texts = options.calibration_texts;
    const std::filesystem::path out = work / cat(name, "-", precision_name(p));
    quantize_model(dir, out, quantize);
    model.dirs[p] = out;
  }
  return model;
}

// A preset with random weights (HF's initialisation), saved as an fp32 model directory.
std::filesystem::path save_preset(const std::string& preset, const BenchOptions& options,
                                  const std::vector<std::string>& labels,
                                  const std::filesystem::path& work) {
  BertConfig config = preset_config(preset);
  config.labels = labels;
  const std::filesystem::path dir = work / cat(preset, "-fp32");
  save_model(dir, new_model(config, BertTokenizer::from_file(options.vocab), 42));
  return dir;
}

BenchInputs tokenize_inputs(const Dataset& dataset, const BertTokenizer& tokenizer,
                            const BenchOptions& options) {
  const std::vector<Example>& test = dataset.test.empty() ? dataset.val : dataset.test;
  if (test.empty()) fail("bench: the data has no test (or validation) examples");
  BenchInputs inputs;
  auto encode = [&](const Example& example) {
    return encode_example(tokenizer, example, dataset.text, options.max_length).input_ids;
  };
  for (size_t i = 0; i < test.size() && int64_t(i) < options.abstracts; ++i)
    inputs.abstracts.push_back(encode(test[i]));
  const size_t rows = options.throughput_rows > 0
                          ? std::min(test.size(), static_cast<size_t>(options.throughput_rows))
                          : test.size();
  for (size_t i = 0; i < rows; ++i) inputs.throughput.push_back(encode(test[i]));
  // Batches are formed by length (longest first) for every backend alike.
  auto by_length = [](std::vector<std::vector<int32_t>>& sequences) {
    std::stable_sort(sequences.begin(), sequences.end(),
                     [](const auto& a, const auto& b) { return a.size() > b.size(); });
  };
  by_length(inputs.abstracts);
  by_length(inputs.throughput);
  return inputs;
}

// One configuration in a child process of this binary, so that its peak memory is its own.
BenchPoint run_worker(const BenchConfiguration& configuration, const std::filesystem::path& work,
                      const std::string& stem) {
  const std::filesystem::path config_path = work / (stem + ".json");
  const std::filesystem::path result_path = work / (stem + ".result.json");
  write_file_atomically(config_path, to_json(configuration).dump(2));
  std::filesystem::remove(result_path);
  const std::vector<std::string> command = {"/proc/self/exe", "bench", "--worker",
                                            config_path.string()};
  const int code = run_command(command);
  if (code != 0)
    fail("bench: the configuration ", stem, " failed (exit ", code,
         "): ", shell_command_line(command));
  return bench_point_from_json(read_ordered_json_file(result_path));
}

// One baseline run (one process per configuration, like ours); its point, or none when it
// failed (reported, not fatal: the baselines are optional).
std::optional<BenchPoint> run_baseline(const std::vector<std::string>& command,
                                       const std::filesystem::path& result) {
  std::filesystem::remove(result);
  std::fprintf(stderr, "bench: %s\n", shell_command_line(command).c_str());
  const int code = run_command(command);
  if (code != 0 || !std::filesystem::exists(result)) {
    std::fprintf(stderr, "bench: baseline failed (exit %d); continuing without it\n", code);
    return std::nullopt;
  }
  try {
    return bench_point_from_json(read_ordered_json_file(result));
  } catch (const Error& e) {
    std::fprintf(stderr, "bench: %s: %s; continuing without it\n", result.c_str(), e.what());
    return std::nullopt;
  }
}

void add_baselines(BenchRecord& record, const BenchModel& model, Precision precision,
                   const BenchOptions& options, const std::filesystem::path& inputs,
                   const std::filesystem::path& work) {
  if (precision == Precision::bf16 || model.fp32_dir.empty()) return;
  const std::string p = precision_name(precision);
  for (const std::string& backend : options.baselines) {
    std::vector<BenchPoint> points;
    std::filesystem::path onnx;
    if (backend == "onnxruntime") {
      // greenbert's own ONNX export: `greenbert export --to onnx`.
      const std::filesystem::path onnx_dir = work / cat(model.name, "-onnx");
      onnx = onnx_dir / model_files::onnx(precision);
      if (!std::filesystem::exists(onnx) && !std::filesystem::exists(options.exporter)) {
        std::fprintf(stderr, "bench: %s is missing; skipping onnxruntime\n",
                     options.exporter.c_str());
        continue;
      }
      if (!std::filesystem::exists(onnx)) {
        const int status =
            run_command({options.exporter.string(), "--model", model.fp32_dir.string(), "--to",
                         "onnx", "--precision", p, "--out", onnx_dir.string()});
        if (status != 0) {
          std::fprintf(stderr, "bench: ONNX export failed (%s exit %d); skipping onnxruntime\n",
                       options.exporter.c_str(), status);
          continue;
        }
      }
    }
    for (int64_t batch : options.batch_sizes) {
      const std::filesystem::path result =
          work / cat(model.name, "-", backend, "-", p, "-b", batch, ".json");
      std::vector<std::string> command;
      if (backend == "pytorch")
        command = {options.python, (options.scripts / "torch_infer.py").string(),
                   "--model",      model.fp32_dir.string(),
                   "--precision",  p};
      else
        command = {options.node, (options.scripts / "ort_infer.mjs").string(), "--model",
                   onnx.string()};
      for (const std::string& arg :
           {std::string("--inputs"), inputs.string(), std::string("--batch-size"),
            std::to_string(batch), std::string("--threads"), std::to_string(options.threads),
            std::string("--repeats"), std::to_string(options.repeats), std::string("--out"),
            result.string()})
        command.push_back(arg);
      if (auto point = run_baseline(command, result)) points.push_back(std::move(*point));
    }
    if (!points.empty()) record.backends.emplace_back(backend, std::move(points));
  }
}

std::string seconds_or_dash(const BenchRecord& record, const char* backend, int64_t batch) {
  const std::vector<BenchPoint>* points = record.backend(backend);
  const BenchPoint* p = points ? point_at(*points, batch) : nullptr;
  return p && p->inference_time > 0 ? cat(p->inference_time) : "-";
}

void print_table(const std::vector<BenchRecord>& records, const SystemInfo& info, int threads) {
  std::printf("\n%s (%s), %d threads; time = classifying the %s abstracts (median of repeats)\n",
              info.cpu_model.c_str(), info.isa.c_str(), threads,
              records.empty() ? "?" : cat(records[0].abstracts).c_str());
  std::printf("%-14s %-5s %5s %9s %9s %8s %8s %8s %9s %11s %9s %9s %9s\n", "model", "prec", "batch",
              "time s", "seq/s", "p50 ms", "peak MB", "size MB", "GEMM G/s", "GEMM eff", "J/1000",
              "torch s", "ort s");
  for (const BenchRecord& r : records)
    for (const BenchPoint& e : *r.backend("cpp"))
      std::printf("%-14s %-5s %5ld %9.4f %9.1f %8.2f %8.1f %8.1f %9.0f %10.0f%% %9.1f %9s %9s\n",
                  r.model.c_str(), precision_name(r.precision), long(e.batch_size),
                  e.inference_time, e.throughput.value_or(0), e.latency_p50_ms.value_or(0),
                  e.memory_mb.value_or(0), r.model_size_mb.value_or(0), e.gemm_gops.value_or(0),
                  100 * e.gemm_efficiency.value_or(0), e.energy_per_1000_j.value_or(0),
                  seconds_or_dash(r, "pytorch", e.batch_size).c_str(),
                  seconds_or_dash(r, "onnxruntime", e.batch_size).c_str());
}

}  // namespace

void run_bench(const BenchOptions& options, const Dataset& dataset) {
  const std::filesystem::path base =
      options.out.has_parent_path() ? options.out.parent_path() : ".";
  const std::filesystem::path work =
      options.work_dir.empty() ? base / "bench-work" : options.work_dir;
  const std::filesystem::path emissions =
      options.emissions.empty() ? base / "emissions.csv" : options.emissions;
  std::filesystem::create_directories(work);

  std::vector<std::pair<std::string, std::filesystem::path>> sources;
  for (const auto& dir : options.models) sources.emplace_back(dir.filename().string(), dir);
  for (const std::string& preset : options.presets)
    sources.emplace_back(preset, save_preset(preset, options, dataset.labels.names(), work));

  const SystemInfo info = system_info();
  std::vector<BenchRecord> records;
  for (const auto& [name, dir] : sources) {
    const ModelDirectory opened = ModelDirectory::open(dir);
    const BenchModel model = prepare_model(name, opened, options, work);
    const std::filesystem::path inputs = work / (name + "-inputs.json");
    const BenchInputs tokenized = tokenize_inputs(dataset, opened.tokenizer, options);
    save_bench_inputs(inputs, tokenized);
    for (Precision precision : options.precisions) {
      auto found = model.dirs.find(precision);
      if (found == model.dirs.end()) continue;
      const std::string p = precision_name(precision);
      BenchRecord record;
      record.model = name;
      record.precision = precision;
      record.quantized = precision != Precision::fp32;
      record.batch_sizes = options.batch_sizes;
      record.model_size_mb =
          double(std::filesystem::file_size(found->second / model_files::kWeights)) / 1e6;
      record.parameters = opened.kind == ModelKind::linear
                              ? load_linear_model(opened).parameter_count()
                              : ParameterLayout(opened.config).parameter_count();
      record.others["model_type"] = opened.kind == ModelKind::linear ? kLinearModelType : "encoder";
      record.threads = options.threads;
      record.hardware =
          BenchHardware{info.cpu_model, info.isa, info.physical_cores, info.logical_cpus};
      record.max_length = static_cast<int64_t>(options.max_length);
      // Fewer than asked in a small test split.
      record.abstracts = static_cast<int64_t>(tokenized.abstracts.size());
      std::vector<BenchPoint> ours;
      for (int64_t batch : options.batch_sizes) {
        BenchConfiguration c;
        c.model = found->second;
        c.precision = precision;
        c.activations = options.activations;
        c.attention = options.attention;
        c.batch_size = batch;
        c.threads = options.threads;
        c.repeats = options.repeats;
        c.inputs = inputs;
        c.emissions = emissions;
        c.project = name;
        c.energy = options.energy;
        std::fprintf(stderr, "bench: %s %s batch %ld\n", name.c_str(), p.c_str(), long(batch));
        ours.push_back(run_worker(c, work, cat(name, "-", p, "-b", batch)));
      }
      record.backends.emplace_back("cpp", std::move(ours));
      add_baselines(record, model, precision, options, inputs, work);
      records.push_back(std::move(record));
      write_bench_file(options.out, records);  // partial results survive a failure
    }
  }
  print_table(records, info, options.threads);
  std::printf("\nbench: %zu records -> %s (energy rows -> %s)\n", records.size(),
              options.out.c_str(), emissions.c_str());
}

void run_bench_worker(const std::filesystem::path& configuration) {
  const BenchConfiguration c = configuration_from_json(read_json_file(configuration));
  std::filesystem::path result = configuration;
  result.replace_extension(".result.json");
  write_file_atomically(result, to_json(measure_configuration(c)).dump(2));
}

}  // namespace greenbert
