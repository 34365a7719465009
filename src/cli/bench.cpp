// `greenbert bench`: time classification for each model × precision × batch size, each
// configuration in its own child process (so that peak memory is per configuration), and
// optionally the PyTorch and ONNX Runtime baselines on the same token ids, threads and batches.
// Writes the study's bert_models_benchmark.json schema extended (src/infer/bench_run.h lists
// the fields) and prints a table.
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/data_options.h"
#include "cli/energy_options.h"
#include "cli/exit_codes.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/system_info.h"
#include "core/threads.h"
#include "data/encode_example.h"
#include "infer/bench_run.h"
#include "infer/model_quantizer.h"
#include "model/linear_model.h"
#include "model/model_dir.h"

extern char** environ;

namespace greenbert::cli {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

struct BenchArgs {
  std::vector<std::string> models;
  std::vector<std::string> presets;
  std::string vocab;
  DataOptions data;
  std::vector<std::string> precisions = {"fp32", "bf16", "int8"};
  std::vector<int64_t> batch_sizes = {1, 4, 16};
  size_t max_length = 150;
  int64_t abstracts = 20;
  int repeats = 10;
  int64_t throughput_rows = 0;
  int threads = 0;
  std::string activations = "u8";
  std::string attention;
  std::string calibration;
  std::string out;
  std::string work_dir;
  std::string emissions;
  std::vector<std::string> baselines;
  std::string scripts = "scripts/baselines";
  std::string python = "/usr/bin/python3";
  std::string node = "node";
  std::string worker;
  EnergyOptions energy;
};

// Runs a command (argv[0] searched in PATH) and waits; its output goes to ours.
int run_command(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const auto& arg : command) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (spawned != 0) fail("cannot run '", command[0], "': ", std::strerror(spawned));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) fail("waitpid: ", std::strerror(errno));
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

std::string joined(const std::vector<std::string>& command) {
  std::string text;
  for (const auto& arg : command) text += (text.empty() ? "" : " ") + arg;
  return text;
}

// A model to benchmark: its name and the directory of each precision it runs at.
struct BenchModel {
  std::string name;
  std::map<InferencePrecision, std::filesystem::path> dirs;
  std::filesystem::path fp32_dir;  // for the baselines; empty when only a quantized dir was given
};

// The directory of every requested precision: the given one, or quantized from it into the work
// directory (with the calibration texts, if any).
BenchModel prepare_model(const std::string& name, const std::filesystem::path& dir,
                         const std::vector<InferencePrecision>& precisions, const BenchArgs& args,
                         const std::filesystem::path& work) {
  BenchModel model{name, {}, {}};
  if (is_linear_model_dir(dir)) {  // fp32 only: no quantized copy, no baseline runtime
    model.dirs[InferencePrecision::f32] = dir;
    for (InferencePrecision p : precisions)
      if (p != InferencePrecision::f32)
        std::fprintf(stderr, "bench: %s is a linear model (fp32 only); skipping %s\n", dir.c_str(),
                     inference_precision_name(p));
    return model;
  }
  const std::string declared = std::filesystem::exists(dir / "model.safetensors")
                                   ? declared_precision(TensorFile::open(dir / "model.safetensors"))
                                   : "f32";
  if (declared != "f32") {
    const InferencePrecision own = parse_inference_precision(declared);
    model.dirs[own] = dir;
    for (InferencePrecision p : precisions)
      if (p != own)
        std::fprintf(stderr, "bench: %s is a %s model; skipping %s\n", dir.c_str(),
                     declared.c_str(), inference_precision_name(p));
    return model;
  }
  model.fp32_dir = dir;
  for (InferencePrecision p : precisions) {
    if (p == InferencePrecision::f32) {
      model.dirs[p] = dir;
      continue;
    }
    QuantizeOptions options;
    options.precision = p;
    options.activations = parse_activation_type(args.activations);
    options.max_length = args.max_length;
    options.threads = args.threads;
    if (p == InferencePrecision::int8 && !args.calibration.empty())
      options.calibration_texts = read_calibration_texts(args.calibration);
    const std::filesystem::path out = work / cat(name, "-", inference_precision_name(p));
    quantize_model_dir(dir, out, options);
    model.dirs[p] = out;
  }
  return model;
}

// A preset with random weights (HF's initialisation), saved as an fp32 model directory.
std::filesystem::path save_preset(const std::string& preset, const BenchArgs& args,
                                  const std::vector<std::string>& labels,
                                  const std::filesystem::path& work) {
  if (args.vocab.empty())
    usage_error(
        "bench: --preset needs --vocab FILE (e.g. ../shared/models/bert-base-uncased-vocab.txt)");
  BertConfig config = preset_config(preset);
  config.labels = labels;
  ClassifierModel model = new_model(config, BertTokenizer::from_file(args.vocab), 42);
  const std::filesystem::path dir = work / cat(preset, "-fp32");
  save_model(dir, model);
  return dir;
}

BenchInputs tokenize_inputs(const Dataset& dataset, const BertTokenizer& tokenizer,
                            const BenchArgs& args) {
  const std::vector<Example>& test = dataset.test.empty() ? dataset.val : dataset.test;
  if (test.empty()) fail("bench: the data has no test (or validation) examples");
  BenchInputs inputs;
  auto encode = [&](const Example& example) {
    return encode_example(tokenizer, example, dataset.text, args.max_length).input_ids;
  };
  for (size_t i = 0; i < test.size() && int64_t(i) < args.abstracts; ++i)
    inputs.abstracts.push_back(encode(test[i]));
  const size_t rows = args.throughput_rows > 0
                          ? std::min(test.size(), static_cast<size_t>(args.throughput_rows))
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

ordered_json run_worker(const BenchConfiguration& configuration, const std::filesystem::path& work,
                        const std::string& stem) {
  const std::filesystem::path config_path = work / (stem + ".json");
  const std::filesystem::path result_path = work / (stem + ".result.json");
  write_file_atomically(config_path, to_json(configuration).dump(2));
  std::filesystem::remove(result_path);
  const std::vector<std::string> command = {"/proc/self/exe", "bench", "--worker",
                                            config_path.string()};
  const int code = run_command(command);
  if (code != 0)
    fail("bench: the configuration ", stem, " failed (exit ", code, "): ", joined(command));
  return read_ordered_json_file(result_path);
}

// One baseline run (one process per configuration, like ours); its JSON entry or null when it
// failed (reported, not fatal: the baselines are optional).
ordered_json run_baseline(const std::vector<std::string>& command,
                          const std::filesystem::path& result) {
  std::filesystem::remove(result);
  std::fprintf(stderr, "bench: %s\n", joined(command).c_str());
  const int code = run_command(command);
  if (code != 0 || !std::filesystem::exists(result)) {
    std::fprintf(stderr, "bench: baseline failed (exit %d); continuing without it\n", code);
    return nullptr;
  }
  return read_ordered_json_file(result);
}

void add_baselines(ordered_json& record, const BenchModel& model, InferencePrecision precision,
                   const BenchArgs& args, int threads, const std::filesystem::path& inputs,
                   const std::filesystem::path& work) {
  if (precision == InferencePrecision::bf16 || model.fp32_dir.empty()) return;
  const std::string p = inference_precision_name(precision);
  const std::filesystem::path scripts = args.scripts;
  for (const std::string& backend : args.baselines) {
    ordered_json entries = ordered_json::array();
    std::filesystem::path onnx;
    if (backend == "onnxruntime") {
      const std::filesystem::path onnx_dir = work / cat(model.name, "-onnx");
      onnx = onnx_dir / (precision == InferencePrecision::int8 ? "model.int8.onnx" : "model.onnx");
      if (!std::filesystem::exists(onnx)) {
        const std::vector<std::string> export_command = {
            args.python, (scripts / "export_onnx.py").string(),
            "--model",   model.fp32_dir.string(),
            "--out-dir", onnx_dir.string()};
        std::fprintf(stderr, "bench: %s\n", joined(export_command).c_str());
        if (run_command(export_command) != 0) {
          std::fprintf(stderr, "bench: ONNX export failed; skipping onnxruntime\n");
          continue;
        }
      }
    }
    for (int64_t batch : args.batch_sizes) {
      const std::filesystem::path result =
          work / cat(model.name, "-", backend, "-", p, "-b", batch, ".json");
      std::vector<std::string> command;
      if (backend == "pytorch")
        command = {args.python,   (scripts / "torch_infer.py").string(),
                   "--model",     model.fp32_dir.string(),
                   "--precision", p};
      else
        command = {args.node, (scripts / "ort_infer.mjs").string(), "--model", onnx.string()};
      for (const std::string& arg :
           {std::string("--inputs"), inputs.string(), std::string("--batch-size"),
            std::to_string(batch), std::string("--threads"), std::to_string(threads),
            std::string("--repeats"), std::to_string(args.repeats), std::string("--out"),
            result.string()})
        command.push_back(arg);
      const ordered_json entry = run_baseline(command, result);
      if (!entry.is_null()) entries.push_back(entry);
    }
    if (!entries.empty()) record[backend] = entries;
  }
}

double entry_number(const ordered_json& entries, int64_t batch, const char* key) {
  for (const auto& e : entries)
    if (e.value("batch_size", int64_t{-1}) == batch && e.contains(key) && e[key].is_number())
      return e[key].get<double>();
  return 0;
}

void print_table(const ordered_json& records, const SystemInfo& info, int threads) {
  std::printf("\n%s (%s), %d threads; time = classifying the %s abstracts (median of repeats)\n",
              info.cpu_model.c_str(), info.isa.c_str(), threads,
              records.empty() ? "?" : records[0]["abstracts"].dump().c_str());
  std::printf("%-14s %-5s %5s %9s %9s %8s %8s %8s %9s %11s %9s %9s %9s\n", "model", "prec", "batch",
              "time s", "seq/s", "p50 ms", "peak MB", "size MB", "GEMM G/s", "GEMM eff", "J/1000",
              "torch s", "ort s");
  for (const auto& r : records)
    for (const auto& e : r["cpp"]) {
      const int64_t batch = e["batch_size"].get<int64_t>();
      const double torch =
          r.contains("pytorch") ? entry_number(r["pytorch"], batch, "inference_time") : 0;
      const double ort =
          r.contains("onnxruntime") ? entry_number(r["onnxruntime"], batch, "inference_time") : 0;
      std::printf("%-14s %-5s %5ld %9.4f %9.1f %8.2f %8.1f %8.1f %9.0f %10.0f%% %9.1f %9s %9s\n",
                  r["model_name"].get<std::string>().c_str(),
                  r["precision"].get<std::string>().c_str(), long(batch),
                  e["inference_time"].get<double>(), e["throughput_seq_per_s"].get<double>(),
                  e["latency_ms"]["p50"].get<double>(), e["memory_usage_mb"].get<double>(),
                  r["model_size_mb"].get<double>(), e["gemm_gops"].get<double>(),
                  100 * e["gemm_efficiency"].get<double>(), e["energy_per_1000_j"].get<double>(),
                  torch > 0 ? cat(torch).c_str() : "-", ort > 0 ? cat(ort).c_str() : "-");
    }
}

void run(const BenchArgs& args) {
  if (args.models.empty() && args.presets.empty())
    usage_error("bench: give at least one --model DIR or --preset NAME");
  if (args.data.data.empty())
    usage_error(
        "bench: --data FILE|SPLIT_DIR is required (the abstracts to classify come from its "
        "test split)");
  for (const std::string& b : args.baselines)
    if (b != "pytorch" && b != "onnxruntime")
      usage_error("bench: unknown baseline '", b, "' (pytorch or onnxruntime)");
  std::vector<InferencePrecision> precisions;
  for (const std::string& p : args.precisions) precisions.push_back(parse_inference_precision(p));
  for (int64_t b : args.batch_sizes)
    if (b < 1) usage_error("bench: batch sizes must be at least 1, got ", b);
  validate_energy_options(args.energy);
  const int threads = set_thread_count(args.threads);
  const std::filesystem::path out = args.out.empty() ? "bench.json" : args.out;
  const std::filesystem::path base = out.has_parent_path() ? out.parent_path() : ".";
  const std::filesystem::path work =
      args.work_dir.empty() ? base / "bench-work" : std::filesystem::path(args.work_dir);
  const std::filesystem::path emissions =
      args.emissions.empty() ? base / "emissions.csv" : std::filesystem::path(args.emissions);
  std::filesystem::create_directories(work);

  Dataset dataset = load_dataset(args.data.data, to_load_options(args.data));
  print_load_warnings(dataset);

  std::vector<std::pair<std::string, std::filesystem::path>> sources;
  for (const std::string& dir : args.models)
    sources.emplace_back(std::filesystem::path(dir).filename().string(), dir);
  for (const std::string& preset : args.presets)
    sources.emplace_back(preset, save_preset(preset, args, dataset.labels.names(), work));

  const SystemInfo info = system_info();
  ordered_json records = ordered_json::array();
  for (const auto& [name, dir] : sources) {
    const BenchModel model = prepare_model(name, dir, precisions, args, work);
    const std::filesystem::path first = model.dirs.begin()->second;
    const bool linear = is_linear_model_dir(first);
    const BertTokenizer tokenizer = load_tokenizer(first);
    const int64_t parameters =
        linear ? load_linear_model(first).parameter_count()
               : ParameterLayout(load_config(first / "config.json")).parameter_count();
    const std::filesystem::path inputs = work / (name + "-inputs.json");
    const BenchInputs tokenized = tokenize_inputs(dataset, tokenizer, args);
    save_bench_inputs(inputs, tokenized);
    for (InferencePrecision precision : precisions) {
      auto found = model.dirs.find(precision);
      if (found == model.dirs.end()) continue;
      const std::string p = inference_precision_name(precision);
      ordered_json record{
          {"model_name", name},
          {"precision", p},
          {"quantized", precision != InferencePrecision::f32},
          {"batch_sizes", args.batch_sizes},
          {"model_size_mb",
           double(std::filesystem::file_size(found->second / "model.safetensors")) / 1e6},
          {"parameters", parameters},
          {"model_type", linear ? kLinearModelType : "encoder"},
          {"threads", threads},
          {"hardware",
           {{"cpu", info.cpu_model},
            {"isa", info.isa},
            {"physical_cores", info.physical_cores},
            {"logical_cpus", info.logical_cpus}}},
          {"max_length", args.max_length},
          {"abstracts", tokenized.abstracts.size()},  // fewer than asked in a small test split
          {"cpp", ordered_json::array()}};
      for (int64_t batch : args.batch_sizes) {
        BenchConfiguration c;
        c.model = found->second;
        c.precision = precision;
        c.activations = parse_activation_type(args.activations);
        if (!args.attention.empty()) c.attention = parse_attention_precision(args.attention);
        c.batch_size = batch;
        c.threads = threads;
        c.repeats = args.repeats;
        c.inputs = inputs;
        c.emissions = emissions;
        c.project = name;
        c.energy = args.energy;
        std::fprintf(stderr, "bench: %s %s batch %ld\n", name.c_str(), p.c_str(), long(batch));
        record["cpp"].push_back(run_worker(c, work, cat(name, "-", p, "-b", batch)));
      }
      add_baselines(record, model, precision, args, threads, inputs, work);
      records.push_back(record);
      write_file_atomically(out, records.dump(2) + "\n");  // partial results survive a failure
    }
  }
  print_table(records, info, threads);
  std::printf("\nbench: %zu records -> %s (energy rows -> %s)\n", records.size(), out.c_str(),
              emissions.c_str());
}

void run_worker_mode(const std::string& config_path) {
  const BenchConfiguration configuration = configuration_from_json(read_json_file(config_path));
  std::filesystem::path result = config_path;
  result.replace_extension(".result.json");
  write_file_atomically(result, measure_configuration(configuration).dump(2));
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand(
      "bench",
      "Benchmark classification (time for the study's 20 abstracts, throughput, latency, peak "
      "memory, GEMM rate, energy) per model × precision × batch size, optionally against "
      "PyTorch and ONNX Runtime on the same inputs");
  cmd->add_option("--model", args->models,
                  "Model directory (fp32, or written by quantize); repeatable");
  cmd->add_option("--preset", args->presets,
                  "Preset with random weights (bert-base, distilbert, tinybert, bert-tiny, ...); "
                  "repeatable");
  cmd->add_option("--vocab", args->vocab, "vocab.txt for --preset models");
  add_data_options(*cmd, args->data, /*required=*/false);
  cmd->add_option("--precisions", args->precisions, "Precisions: fp32, bf16, int8")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--batch-sizes", args->batch_sizes, "Batch sizes")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--max-length", args->max_length, "Truncate abstracts to this many tokens")
      ->capture_default_str();
  cmd->add_option("--abstracts", args->abstracts, "Abstracts in the timed set (the study: 20)")
      ->capture_default_str();
  cmd->add_option("--repeats", args->repeats, "Timed repeats after one warm-up")
      ->capture_default_str();
  cmd->add_option("--throughput-rows", args->throughput_rows,
                  "Test examples in the throughput pass (default: the whole test split)");
  cmd->add_option("--threads", args->threads, "Threads (default: physical cores)");
  cmd->add_option("--activations", args->activations, "int8 activations: u8 or s8")
      ->check(CLI::IsMember({"u8", "s8"}))
      ->capture_default_str();
  cmd->add_option("--attention", args->attention,
                  "Attention precision (QKᵀ and P·V): f32 or bf16 (default: f32 for fp32 models, "
                  "bf16 otherwise)")
      ->check(CLI::IsMember({"f32", "fp32", "bf16"}));
  cmd->add_option("--calibration", args->calibration,
                  "Texts (one per line) to fix int8 activation scales (static quantization)");
  cmd->add_option("--out", args->out, "Benchmark JSON to write (default: bench.json)");
  cmd->add_option("--work-dir", args->work_dir,
                  "Where quantized copies, inputs and per-configuration results go (default: "
                  "bench-work beside --out)");
  cmd->add_option("--emissions", args->emissions,
                  "emissions.csv for the bench phases (default: beside --out)");
  cmd->add_option("--baselines", args->baselines,
                  "Also run pytorch and/or onnxruntime (scripts/baselines; see setup.sh there)")
      ->delimiter(',');
  cmd->add_option("--baseline-scripts", args->scripts, "Directory of the baseline scripts")
      ->capture_default_str();
  cmd->add_option("--python", args->python, "Python with torch and onnx for the baselines")
      ->capture_default_str();
  cmd->add_option("--node", args->node, "Node.js for the ONNX Runtime baseline")
      ->capture_default_str();
  cmd->add_option("--worker", args->worker,
                  "(internal) run the one configuration described in this JSON file")
      ->group("");
  add_energy_options(*cmd, args->energy);
  cmd->callback([args] {
    if (!args->worker.empty())
      run_worker_mode(args->worker);
    else
      run(*args);
  });
}

}  // namespace greenbert::cli
