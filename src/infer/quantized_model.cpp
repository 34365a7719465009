#include "infer/quantized_model.h"

#include <cstring>
#include <set>

#include "core/error.h"
#include "io/safetensors.h"
#include "kernels/bf16.h"
#include "model/names.h"

namespace greenbert {

const char* inference_precision_name(InferencePrecision precision) {
  switch (precision) {
    case InferencePrecision::f32:
      return "fp32";
    case InferencePrecision::bf16:
      return "bf16";
    case InferencePrecision::int8:
      return "int8";
  }
  return "?";
}

const char* precision_metadata_value(InferencePrecision precision) {
  return precision == InferencePrecision::f32 ? "f32" : inference_precision_name(precision);
}

InferencePrecision parse_inference_precision(std::string_view name) {
  if (name == "fp32" || name == "f32") return InferencePrecision::f32;
  if (name == "bf16") return InferencePrecision::bf16;
  if (name == "int8") return InferencePrecision::int8;
  fail("unknown precision '", name, "' (expected fp32, bf16 or int8)");
}

namespace {

constexpr std::string_view kWordEmbeddings = "bert.embeddings.word_embeddings.weight";
constexpr std::string_view kWeightScale = "_scale";  // appended to "<linear>.weight"
constexpr std::string_view kInputScale = ".input_scale";
constexpr std::string_view kInputZeroPoint = ".input_zero_point";

bool quantized_tensor(std::string_view canonical) {
  return canonical == kWordEmbeddings || is_encoder_linear_weight(canonical);
}

// "<prefix>.weight" → "<prefix>"
std::string_view linear_prefix(std::string_view weight) {
  return weight.substr(0, weight.size() - std::string_view(".weight").size());
}

// Canonical ↔ checkpoint names for the extra tensors (scales) as well as parameters.
std::string to_checkpoint_name(const std::string& canonical, ModelType type) {
  for (std::string_view suffix : {kInputScale, kInputZeroPoint}) {
    if (canonical.ends_with(suffix)) {
      const std::string base = canonical.substr(0, canonical.size() - suffix.size()) + ".weight";
      return std::string(linear_prefix(checkpoint_name(base, type))) + std::string(suffix);
    }
  }
  if (canonical.ends_with(std::string(".weight") + std::string(kWeightScale)))
    return checkpoint_name(canonical.substr(0, canonical.size() - kWeightScale.size()), type) +
           std::string(kWeightScale);
  return checkpoint_name(canonical, type);
}

std::optional<std::string> to_canonical_name(const std::string& name, ModelType type) {
  for (std::string_view suffix : {kInputScale, kInputZeroPoint}) {
    if (name.ends_with(suffix)) {
      const auto base =
          canonical_name(name.substr(0, name.size() - suffix.size()) + ".weight", type);
      if (!base) return std::nullopt;
      return std::string(linear_prefix(*base)) + std::string(suffix);
    }
  }
  if (name.ends_with(std::string(".weight") + std::string(kWeightScale))) {
    const auto base = canonical_name(name.substr(0, name.size() - kWeightScale.size()), type);
    if (!base) return std::nullopt;
    return *base + std::string(kWeightScale);
  }
  return canonical_name(name, type);
}

template <typename T>
TensorView owned_view(PrecisionTensors& out, DType dtype, std::vector<int64_t> shape,
                      std::vector<T> values) {
  auto storage = std::make_shared<std::vector<T>>(std::move(values));
  out.keep_alive.push_back(storage);
  return {dtype, std::move(shape), std::as_bytes(std::span<const T>(*storage))};
}

// The Linear layers fed by each input kind of layer l (canonical weight names).
std::vector<std::string> linears_of(int64_t layer, LinearInput input) {
  const std::string p = cat("bert.encoder.layer.", layer, ".");
  switch (input) {
    case LinearInput::qkv:
      return {p + "attention.self.query.weight", p + "attention.self.key.weight",
              p + "attention.self.value.weight"};
    case LinearInput::attention_output:
      return {p + "attention.output.dense.weight"};
    case LinearInput::ffn_in:
      return {p + "intermediate.dense.weight"};
    case LinearInput::ffn_out:
      return {p + "output.dense.weight"};
  }
  return {};
}

}  // namespace

bool is_encoder_linear_weight(std::string_view canonical) {
  return canonical.starts_with("bert.encoder.layer.") && canonical.ends_with(".weight") &&
         canonical.find("LayerNorm") == std::string_view::npos;
}

const TensorView* PrecisionTensors::find(std::string_view name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

const TensorView& PrecisionTensors::at(std::string_view name) const {
  const TensorView* view = find(name);
  if (view == nullptr) fail("tensor ", name, " is missing");
  return *view;
}

std::string declared_precision(const TensorFile& file) {
  auto it = file.metadata().find(kPrecisionMetadata);
  return it == file.metadata().end() ? "f32" : it->second;
}

PrecisionTensors quantize_parameters(const BertConfig& config,
                                     std::shared_ptr<const ParameterBuffer> params,
                                     InferencePrecision precision, ActivationType activations,
                                     const ActivationRanges* ranges) {
  PrecisionTensors out;
  out.precision = precision;
  out.activations = activations;
  out.keep_alive.push_back(params);
  for (const ParameterTensor& t : params->layout().tensors()) {
    if (is_masked_lm_tensor(t.name)) continue;
    const std::span<const float> values = params->view(t);
    if (precision == InferencePrecision::f32 || !quantized_tensor(t.name)) {
      out.tensors[t.name] = {DType::F32, t.shape, std::as_bytes(values)};
      continue;
    }
    const int64_t rows = t.shape[0], cols = t.shape[1];
    if (precision == InferencePrecision::bf16) {
      std::vector<uint16_t> converted(values.size());
      to_bf16_strided(converted.data(), values.data(), rows, cols, cols);
      out.tensors[t.name] = owned_view(out, DType::BF16, t.shape, std::move(converted));
      continue;
    }
    std::vector<int8_t> q(values.size());
    std::vector<float> scales(static_cast<size_t>(rows));
    quantize_rows_symmetric(q.data(), scales.data(), values.data(), rows, cols);
    out.tensors[t.name] = owned_view(out, DType::I8, t.shape, std::move(q));
    out.tensors[t.name + std::string(kWeightScale)] =
        owned_view(out, DType::F32, {rows}, std::move(scales));
  }
  if (precision == InferencePrecision::int8 && ranges != nullptr) {
    if (static_cast<int64_t>(ranges->ranges.size()) != config.num_layers)
      fail("calibration has ranges for ", ranges->ranges.size(), " layers, the model has ",
           config.num_layers);
    out.static_activations = true;
    for (int64_t l = 0; l < config.num_layers; ++l)
      for (int i = 0; i < kLinearInputs; ++i) {
        const auto [lo, hi] = ranges->ranges[static_cast<size_t>(l)][static_cast<size_t>(i)];
        const RowQuantization q = quantization_for_range(lo, hi, activations, kStoredU8Max);
        for (const std::string& weight : linears_of(l, static_cast<LinearInput>(i))) {
          const std::string prefix(linear_prefix(weight));
          out.tensors[prefix + std::string(kInputScale)] =
              owned_view(out, DType::F32, {}, std::vector<float>{q.scale});
          out.tensors[prefix + std::string(kInputZeroPoint)] =
              owned_view(out, DType::F32, {}, std::vector<float>{static_cast<float>(q.zero_point)});
        }
      }
  }
  return out;
}

void write_precision_tensors(const std::filesystem::path& path, const BertConfig& config,
                             const PrecisionTensors& tensors) {
  std::vector<NamedTensor> named;
  for (const auto& [name, view] : tensors.tensors)
    named.push_back({to_checkpoint_name(name, config.model_type), view});
  // transformers loads a safetensors file only when its "format" is one of its frameworks'
  // ("pt", "tf", "flax", "mlx"): "greenbert" makes it refuse int8/bf16 files (whose tensors it
  // would otherwise read as fp32 parameters) instead of loading them wrongly.
  std::map<std::string, std::string> metadata{
      {"format", tensors.precision == InferencePrecision::f32 ? "pt" : kQuantizedFormat},
      {kPrecisionMetadata, precision_metadata_value(tensors.precision)}};
  if (tensors.precision == InferencePrecision::int8) {
    metadata[kActivationTypeMetadata] = std::string(activation_type_name(tensors.activations));
    metadata[kActivationScalesMetadata] = tensors.static_activations ? "static" : "dynamic";
  }
  write_safetensors(path, named, metadata);
}

PrecisionTensors read_precision_tensors(const std::filesystem::path& path,
                                        const BertConfig& config) {
  auto file = std::make_shared<TensorFile>(TensorFile::open(path));
  const std::string label = path.string();
  const std::string declared = declared_precision(*file);
  PrecisionTensors out;
  if (declared != "int8" && declared != "bf16" && declared != "f32")
    fail(label, ": ", kPrecisionMetadata, " is '", declared, "' (f32, bf16 or int8)");
  out.precision = parse_inference_precision(declared);
  out.keep_alive.push_back(file);
  out.mapped = file->format() == "safetensors";
  if (out.precision == InferencePrecision::int8) {
    auto meta = [&](const char* key) {
      auto it = file->metadata().find(key);
      if (it == file->metadata().end()) fail(label, ": int8 model without ", key, " metadata");
      return it->second;
    };
    out.activations = parse_activation_type(meta(kActivationTypeMetadata));
    const std::string scales = meta(kActivationScalesMetadata);
    if (scales != "static" && scales != "dynamic")
      fail(label, ": ", kActivationScalesMetadata, " is '", scales, "' (static or dynamic)");
    out.static_activations = scales == "static";
  }
  for (const NamedTensor& t : file->tensors()) {
    const auto canonical = to_canonical_name(t.name, config.model_type);
    // save_model's fp32 files may carry a masked-LM head, which classification does not use.
    if (out.precision == InferencePrecision::f32 &&
        (is_ignored_checkpoint_tensor(t.name, config.model_type) ||
         (canonical && is_masked_lm_tensor(*canonical))))
      continue;
    if (!canonical)
      fail(label, ": tensor ", t.name, ": not a tensor of a ", model_type_name(config.model_type),
           " classifier");
    if (!out.tensors.emplace(*canonical, t.view).second)
      fail(label, ": tensor ", t.name, ": a second tensor for ", *canonical);
  }

  // Every parameter the model needs, with its shape and the dtype its precision stores.
  const ParameterLayout layout(config);
  const bool int8 = out.precision == InferencePrecision::int8;
  std::set<std::string, std::less<>> expected;
  auto expect = [&](const std::string& canonical, DType dtype, const std::vector<int64_t>& shape) {
    expected.insert(canonical);
    const TensorView* view = out.find(canonical);
    const std::string name = to_checkpoint_name(canonical, config.model_type);
    if (view == nullptr) fail(label, ": tensor ", name, " is missing");
    if (view->dtype != dtype)
      fail(label, ": tensor ", name, ": dtype ", dtype_name(view->dtype), ", expected ",
           dtype_name(dtype));
    if (view->shape != shape)
      fail(label, ": tensor ", name, ": shape ", format_shape(view->shape),
           " but config.json needs ", format_shape(shape));
  };
  for (const ParameterTensor& t : layout.tensors()) {
    if (out.precision == InferencePrecision::f32 || !quantized_tensor(t.name)) {
      expect(t.name, DType::F32, t.shape);
      continue;
    }
    expect(t.name, int8 ? DType::I8 : DType::BF16, t.shape);
    if (int8) expect(t.name + std::string(kWeightScale), DType::F32, {t.shape[0]});
    if (out.static_activations && t.name != kWordEmbeddings) {
      const std::string prefix(linear_prefix(t.name));
      expect(prefix + std::string(kInputScale), DType::F32, {});
      expect(prefix + std::string(kInputZeroPoint), DType::F32, {});
    }
  }
  for (const auto& [name, view] : out.tensors)
    if (!expected.contains(name))
      fail(label, ": tensor ", to_checkpoint_name(name, config.model_type), ": not expected in a ",
           declared, " model", out.static_activations ? "" : " with dynamic activation scales");
  return out;
}

}  // namespace greenbert
