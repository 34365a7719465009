// `greenbert bench`: classification timed for each model × precision × batch size, each
// configuration in its own child process, optionally against the PyTorch and ONNX Runtime
// baselines (benchmark/bench_suite.h); writes benchmark records (report/bench_records.h) and
// prints a table.
#include <memory>
#include <string>
#include <vector>

#include "benchmark/bench_suite.h"
#include "cli/commands.h"
#include "cli/data_options.h"
#include "cli/energy_options.h"
#include "cli/exit_codes.h"
#include "cli/export_command.h"
#include "cli/precision_option.h"
#include "cli/threads_option.h"
#include "core/error.h"
#include "core/threads.h"
#include "infer/model_quantizer.h"

namespace greenbert::cli {

namespace {

// The options that need parsing; the others go straight into `options`.
struct BenchArgs {
  BenchOptions options;
  std::vector<std::string> models;
  std::string vocab;
  DataOptions data;
  std::vector<std::string> precisions = {"fp32", "bf16", "int8"};
  int threads = 0;
  std::string activations = "u8";
  std::string attention;
  std::string calibration;
  std::string out, work_dir, emissions, scripts = "scripts/baselines";
  std::string worker;
};

void run(BenchArgs& args) {
  if (args.models.empty() && args.options.presets.empty())
    usage_error("bench: give at least one --model DIR or --preset NAME");
  if (!args.options.presets.empty() && args.vocab.empty())
    usage_error(
        "bench: --preset needs --vocab FILE (e.g. ../shared/models/bert-base-uncased-vocab.txt)");
  for (const std::string& b : args.options.baselines)
    if (b != "pytorch" && b != "onnxruntime")
      usage_error("bench: unknown baseline '", b, "' (pytorch or onnxruntime)");
  for (int64_t b : args.options.batch_sizes)
    if (b < 1) usage_error("bench: batch sizes must be at least 1, got ", b);
  if (args.data.data.empty())
    usage_error(
        "bench: --data FILE|SPLIT_DIR is required (the abstracts to classify come from its "
        "test split)");
  BenchOptions& options = args.options;
  validate_energy_options(options.energy);
  options.models.assign(args.models.begin(), args.models.end());
  options.vocab = args.vocab;
  options.precisions.clear();
  for (const std::string& p : args.precisions)
    options.precisions.push_back(parse_precision(p, "--precisions"));
  options.threads = set_thread_count(args.threads);
  options.activations = parse_activation_type(args.activations, "--activations");
  if (!args.attention.empty()) options.attention = parse_precision(args.attention, "--attention");
  if (!args.calibration.empty())
    options.calibration_texts = read_calibration_texts(args.calibration);
  if (!args.out.empty()) options.out = args.out;
  options.work_dir = args.work_dir;
  options.emissions = args.emissions;
  options.scripts = args.scripts;
  options.exporter = companion_path(kExport);
  const Dataset dataset = load_dataset(args.data.data, to_load_options(args.data));
  print_load_warnings(dataset);
  run_bench(options, dataset);
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
  cmd->add_option("--preset", args->options.presets,
                  "Preset with random weights (bert-base, distilbert, tinybert, bert-tiny, ...); "
                  "repeatable");
  cmd->add_option("--vocab", args->vocab, "vocab.txt for --preset models");
  add_data_options(*cmd, args->data, /*required=*/false);
  cmd->add_option("--precisions", args->precisions, "Precisions: fp32, bf16, int8")
      ->delimiter(',')
      ->check(precision_check({Precision::fp32, Precision::bf16, Precision::int8}))
      ->capture_default_str();
  cmd->add_option("--batch-sizes", args->options.batch_sizes, "Batch sizes")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--max-length", args->options.max_length,
                  "Truncate abstracts to this many tokens")
      ->capture_default_str();
  cmd->add_option("--abstracts", args->options.abstracts,
                  "Abstracts in the timed set (the study: 20)")
      ->capture_default_str();
  cmd->add_option("--repeats", args->options.repeats, "Timed repeats after one warm-up")
      ->capture_default_str();
  cmd->add_option("--throughput-rows", args->options.throughput_rows,
                  "Test examples in the throughput pass (default: the whole test split)");
  add_threads_option(*cmd, args->threads);
  cmd->add_option("--activations", args->activations, "int8 activations: u8 or s8")
      ->check(CLI::IsMember({"u8", "s8"}))
      ->capture_default_str();
  cmd->add_option("--attention", args->attention,
                  "Attention precision (QKᵀ and P·V): fp32 or bf16 (default: fp32 for fp32 "
                  "models, bf16 otherwise)")
      ->check(precision_check({Precision::fp32, Precision::bf16}));
  cmd->add_option("--calibration", args->calibration,
                  "Texts (one per line) to fix int8 activation scales (static quantization)");
  cmd->add_option("--out", args->out, "Benchmark JSON to write (default: bench.json)");
  cmd->add_option("--work-dir", args->work_dir,
                  "Where quantized copies, inputs and per-configuration results go (default: "
                  "bench-work beside --out)");
  cmd->add_option("--emissions", args->emissions,
                  "emissions.csv for the bench phases (default: beside --out)");
  cmd->add_option("--baselines", args->options.baselines,
                  "Also run pytorch and/or onnxruntime (scripts/baselines; see setup.sh there)")
      ->delimiter(',');
  cmd->add_option("--baseline-scripts", args->scripts, "Directory of the baseline scripts")
      ->capture_default_str();
  cmd->add_option("--python", args->options.python, "Python with torch for the pytorch baseline")
      ->capture_default_str();
  cmd->add_option("--node", args->options.node, "Node.js for the ONNX Runtime baseline")
      ->capture_default_str();
  cmd->add_option("--worker", args->worker,
                  "(internal) run the one configuration described in this JSON file")
      ->group("");
  add_energy_options(*cmd, args->options.energy);
  cmd->callback([args] {
    if (!args->worker.empty())
      run_bench_worker(args->worker);
    else
      run(*args);
  });
}

}  // namespace greenbert::cli
