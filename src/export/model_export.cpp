#include "export/model_export.h"

#include "core/error.h"
#include "export/export_source.h"
#include "export/hf_export.h"
#include "export/onnx_export.h"

namespace greenbert {

ExportFormat parse_export_format(std::string_view name) {
  if (name == "hf") return ExportFormat::hf;
  if (name == "onnx") return ExportFormat::onnx;
  fail("unknown export format '", name, "' (expected hf or onnx)");
}

ExportReport export_model(const ModelDirectory& model, const std::filesystem::path& out_dir,
                          const ExportOptions& options) {
  if (std::filesystem::exists(out_dir) && std::filesystem::equivalent(model.path, out_dir))
    fail(out_dir.string(), ": the output directory must differ from the model's");
  const ExportSource source = read_export_source(model, options.max_length);
  const Precision own = source.weights.precision;
  ExportReport report;
  report.max_length = source.max_length;
  auto onnx = [&](const std::filesystem::path& dir, Precision precision) {
    std::filesystem::create_directories(dir);
    write_onnx_model(dir / model_files::onnx(precision), source.config, source.weights, precision);
    report.files.push_back(std::filesystem::relative(dir / model_files::onnx(precision), out_dir));
  };
  if (options.format == ExportFormat::onnx) {
    const Precision precision =
        options.precision.value_or(own == Precision::int8 ? Precision::int8 : Precision::fp32);
    onnx(out_dir, precision);
    return report;
  }
  const Precision precision = options.precision.value_or(own);
  write_hf_model(out_dir, source, precision);
  for (const char* file :
       {model_files::kConfig, model_files::kWeights, model_files::kVocab,
        model_files::kTokenizerJson, model_files::kTokenizerConfig, kSpecialTokensMapFile})
    report.files.emplace_back(file);
  onnx(out_dir / "onnx", Precision::fp32);
  onnx(out_dir / "onnx", Precision::int8);
  return report;
}

}  // namespace greenbert
