// `greenbert quantize`: an fp32 model directory → an int8 or bf16 model directory that eval,
// predict and bench load directly (src/infer/quantized_model.h has the format).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/energy_options.h"
#include "cli/precision_option.h"
#include "cli/threads_option.h"
#include "core/error.h"
#include "core/threads.h"
#include "energy/energy_tracker.h"
#include "infer/model_quantizer.h"

namespace greenbert::cli {

namespace {

struct QuantizeArgs {
  std::string model;
  std::string out;
  std::string precision = "int8";
  std::string activations = "u8";
  std::string calibration;
  size_t max_length = 150;
  int threads = 0;
  std::string emissions;
  EnergyOptions energy;
};

void run(const QuantizeArgs& args) {
  QuantizeOptions options;
  options.precision = parse_precision(args.precision, "--precision");
  options.activations = parse_activation_type(args.activations);
  options.max_length = args.max_length;
  options.threads = set_thread_count(args.threads);
  if (!args.calibration.empty())
    options.calibration_texts = read_calibration_texts(args.calibration);
  validate_energy_options(args.energy);
  const std::filesystem::path out = args.out;
  const std::filesystem::path emissions =
      args.emissions.empty() ? out / "emissions.csv" : std::filesystem::path(args.emissions);
  std::filesystem::create_directories(out);
  const std::string phase = cat("quantize-", precision_name(options.precision));
  EnergyTracker tracker(phase, emissions, args.energy, "greenbert", phase);
  const QuantizeReport report = quantize_model(ModelDirectory::open(args.model), out, options);
  tracker.add_work(report.calibration_sequences, report.calibration_tokens);
  const EmissionsRecord row = tracker.stop();
  const EnergySnapshot energy{tracker.setup().method, row.duration, tracker.details().joules,
                              row.energy_consumed, row.emissions};
  std::printf(
      "quantize: %s -> %s (%s%s): %.1f MB -> %.1f MB (%.2fx smaller) in %.1f s, %s\n",
      args.model.c_str(), out.c_str(), precision_name(options.precision),
      options.precision == Precision::int8
          ? cat(", ", args.activations,
                options.calibration_texts.empty() ? " activations, dynamic per-token scales"
                                                  : cat(" activations, static scales from ",
                                                        report.calibration_sequences, " texts"))
                .c_str()
          : "",
      report.input_bytes / 1e6, report.output_bytes / 1e6,
      double(report.input_bytes) / double(report.output_bytes), row.duration,
      format_energy(energy).c_str());
}

}  // namespace

void add_quantize_command(CLI::App& app) {
  auto args = std::make_shared<QuantizeArgs>();
  auto* cmd = app.add_subcommand(
      "quantize",
      "Write an int8 (weights per output channel, activations per token) or bf16 copy of an fp32 "
      "model directory, which eval, predict and bench load directly");
  cmd->add_option("--model", args->model, "fp32 model directory (a run directory, HF checkpoint)")
      ->required();
  cmd->add_option("--out", args->out, "Directory for the quantized model")->required();
  cmd->add_option("--precision", args->precision, "int8 or bf16")
      ->check(precision_check({Precision::int8, Precision::bf16}))
      ->capture_default_str();
  cmd->add_option("--activations", args->activations,
                  "int8 activation type: u8 (asymmetric, zero point) or s8 (symmetric)")
      ->check(CLI::IsMember({"u8", "s8"}))
      ->capture_default_str();
  cmd->add_option("--calibration", args->calibration,
                  "Texts (one per line, a few hundred) to fix int8 activation scales on (static "
                  "quantization); default: scales computed per token at run time");
  cmd->add_option("--max-length", args->max_length, "Token limit for calibration texts")
      ->capture_default_str();
  add_threads_option(*cmd, args->threads);
  cmd->add_option("--emissions", args->emissions,
                  "emissions.csv to append the quantize phase to (default: OUT/emissions.csv)");
  add_energy_options(*cmd, args->energy);
  cmd->callback([args] { run(*args); });
}

}  // namespace greenbert::cli
