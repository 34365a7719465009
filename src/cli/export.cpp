// `greenbert export` (greenbert-export: cli/export_command.h): a model directory → a Hugging Face
// directory (with ONNX models inside, the transformers.js layout) or ONNX models
// (src/export/model_export.h).
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/export_command.h"
#include "cli/precision_option.h"
#include "core/error.h"
#include "export/model_export.h"
#include "model/model_directory.h"

namespace greenbert::cli {

namespace {

struct ExportArgs {
  std::string model;
  std::string to;
  std::string out;
  std::string precision;
  std::optional<int64_t> max_length;
};

void run(const ExportArgs& args) {
  ExportOptions options;
  options.format = parse_export_format(args.to);
  if (!args.precision.empty()) options.precision = parse_precision(args.precision, "--precision");
  options.max_length = args.max_length;
  const ExportReport report = export_model(ModelDirectory::open(args.model), args.out, options);
  std::printf("export: %s -> %s (%s, max length %ld)\n", args.model.c_str(), args.out.c_str(),
              args.to.c_str(), long(report.max_length));
  for (const auto& file : report.files) std::printf("  %s\n", file.c_str());
}

}  // namespace

void add_export_options(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  app.add_option("--model", args->model,
                 "Model directory (a run, a `quantize` output, an HF checkpoint with a head)")
      ->required();
  app.add_option("--to", args->to, "hf or onnx")->required()->check(CLI::IsMember({"hf", "onnx"}));
  app.add_option("--out", args->out, "Output directory")->required();
  app.add_option("--precision", args->precision,
                 "hf: fp32 or bf16; onnx: fp32 or int8 (default: the model's own)")
      ->check(precision_check({Precision::fp32, Precision::bf16, Precision::int8}));
  app.add_option("--max-length", args->max_length,
                 "Tokens the tokenizer truncates to (default: the run's --max-length, else the "
                 "model's tokenizer_config.json, else its positions)");
  app.callback([args] { run(*args); });
}

}  // namespace greenbert::cli
