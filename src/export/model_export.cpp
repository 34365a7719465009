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

const char* onnx_file_name(InferencePrecision precision) {
  return precision == InferencePrecision::int8 ? "model_quantized.onnx" : "model.onnx";
}

ExportReport export_model(const std::filesystem::path& model_dir,
                          const std::filesystem::path& out_dir, const ExportOptions& options) {
  if (std::filesystem::exists(out_dir) && std::filesystem::equivalent(model_dir, out_dir))
    fail(out_dir.string(), ": the output directory must differ from the model's");
  const ExportSource source = read_export_source(model_dir, options.max_length);
  const InferencePrecision own = source.weights.precision;
  ExportReport report;
  report.max_length = source.max_length;
  auto onnx = [&](const std::filesystem::path& dir, InferencePrecision precision) {
    std::filesystem::create_directories(dir);
    write_onnx_model(dir / onnx_file_name(precision), source.config, source.weights, precision);
    report.files.push_back(std::filesystem::relative(dir / onnx_file_name(precision), out_dir));
  };
  if (options.format == ExportFormat::onnx) {
    const InferencePrecision precision = options.precision.value_or(
        own == InferencePrecision::int8 ? InferencePrecision::int8 : InferencePrecision::f32);
    onnx(out_dir, precision);
    return report;
  }
  const InferencePrecision precision = options.precision.value_or(own);
  write_hf_model(out_dir, source, precision);
  for (const char* file : {"config.json", "model.safetensors", "vocab.txt", "tokenizer.json",
                           "tokenizer_config.json", "special_tokens_map.json"})
    report.files.emplace_back(file);
  onnx(out_dir / "onnx", InferencePrecision::f32);
  onnx(out_dir / "onnx", InferencePrecision::int8);
  return report;
}

}  // namespace greenbert
