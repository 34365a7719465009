#include "model/weights_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "core/error.h"
#include "model/names.h"
#include "model/parameters.h"

namespace greenbert {

namespace {

constexpr const char* kVersionKey = "greenbert_version";
constexpr const char* kPrecisionKey = "greenbert_precision";
constexpr const char* kActivationTypeKey = "greenbert_activation_type";
constexpr const char* kActivationScalesKey = "greenbert_activation_scales";
constexpr std::string_view kWordEmbeddings = "bert.embeddings.word_embeddings.weight";

// The index of the first value whose exponent bits are all set (Inf or NaN) among `count`
// values of `bytes` bytes each, read `mask` wide; -1 when there is none.
template <typename Bits>
int64_t first_non_finite_bits(const std::byte* data, int64_t count, Bits mask) {
  auto at = [data](int64_t i) {
    Bits v;
    std::memcpy(&v, data + i * static_cast<int64_t>(sizeof(Bits)), sizeof v);
    return v;
  };
  // In blocks: v & mask reaches mask only for a non-finite value, so the block's maximum of it
  // tells (a max reduction vectorises), and a bad value still stops the scan soon.
  constexpr int64_t kBlock = 4096;
  for (int64_t begin = 0; begin < count; begin += kBlock) {
    const int64_t end = std::min(count, begin + kBlock);
    Bits top = 0;
    for (int64_t i = begin; i < end; ++i) top = std::max<Bits>(top, at(i) & mask);
    if (top != mask) continue;
    for (int64_t i = begin; i < end; ++i)
      if ((at(i) & mask) == mask) return i;
  }
  return -1;
}

// First non-finite value of elements [begin, end) of a view; -1 when all are finite.
int64_t first_non_finite(const TensorView& view, int64_t begin, int64_t end) {
  const std::byte* base = view.bytes.data();
  switch (view.dtype) {
    case DType::F32: {
      const int64_t i = first_non_finite_bits<uint32_t>(base + begin * 4, end - begin, 0x7f800000u);
      return i < 0 ? -1 : begin + i;
    }
    case DType::F64: {
      const int64_t i =
          first_non_finite_bits<uint64_t>(base + begin * 8, end - begin, 0x7ff0000000000000ull);
      return i < 0 ? -1 : begin + i;
    }
    case DType::F16: {
      const int64_t i = first_non_finite_bits<uint16_t>(base + begin * 2, end - begin, 0x7c00);
      return i < 0 ? -1 : begin + i;
    }
    case DType::BF16: {
      const int64_t i = first_non_finite_bits<uint16_t>(base + begin * 2, end - begin, 0x7f80);
      return i < 0 ? -1 : begin + i;
    }
    default:
      return -1;
  }
}

float value_at(const TensorView& view, int64_t index) {
  TensorView one{view.dtype,
                 {1},
                 view.bytes.subspan(static_cast<size_t>(index) * dtype_size(view.dtype),
                                    dtype_size(view.dtype))};
  return to_float32(one)[0];
}

// One tensor a greenbert file at some precision must hold.
struct Expected {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
};

std::vector<Expected> expected_tensors(const BertConfig& config, const ModelTensors& tensors) {
  std::vector<Expected> expected;
  const bool int8 = tensors.precision == Precision::int8;
  const ParameterLayout layout(config);
  for (const ParameterTensor& t : layout.tensors()) {
    if (tensors.precision == Precision::fp32 || !is_quantized_tensor(t.name)) {
      expected.push_back({t.name, DType::F32, t.shape});
      continue;
    }
    expected.push_back({t.name, int8 ? DType::I8 : DType::BF16, t.shape});
    if (int8)
      expected.push_back({t.name + std::string(kWeightScaleSuffix), DType::F32, {t.shape[0]}});
    if (tensors.static_activations && t.name != kWordEmbeddings) {
      const std::string prefix = linear_prefix(t.name);
      expected.push_back({prefix + std::string(kInputScaleSuffix), DType::F32, {}});
      expected.push_back({prefix + std::string(kInputZeroPointSuffix), DType::F32, {}});
    }
  }
  return expected;
}

void check_scales(const ModelTensors& tensors, const BertConfig& config, const std::string& label) {
  for (const auto& [name, view] : tensors.tensors) {
    const bool weight_scale =
        name.ends_with(std::string(".weight") + std::string(kWeightScaleSuffix));
    const bool input_scale = name.ends_with(kInputScaleSuffix);
    const bool zero_point = name.ends_with(kInputZeroPointSuffix);
    if (!weight_scale && !input_scale && !zero_point) continue;
    const std::vector<float> values = to_float32(view);
    for (size_t i = 0; i < values.size(); ++i) {
      const float v = values[i];
      const bool valid = zero_point ? v >= 0.0f && v <= 255.0f && v == std::floor(v) : v > 0.0f;
      if (!valid)
        fail(label, ": tensor ", weights_checkpoint_name(name, config.model_type), ": value ", v,
             values.size() > 1 ? cat(" at index ", i) : "", " is not ",
             zero_point ? "a zero point (an integer in 0..255)" : "a scale (> 0)");
    }
  }
}

}  // namespace

const TensorView* ModelTensors::find(std::string_view name) const {
  auto it = tensors.find(name);
  return it == tensors.end() ? nullptr : &it->second;
}

const TensorView& ModelTensors::at(std::string_view name) const {
  const TensorView* view = find(name);
  if (view == nullptr) fail("tensor ", name, " is missing");
  return *view;
}

ModelTensors parameter_tensors(const ParameterBuffer& params) {
  ModelTensors tensors;
  for (const ParameterTensor& t : params.layout().tensors())
    tensors.tensors[t.name] = {DType::F32, t.shape, std::as_bytes(params.view(t))};
  return tensors;
}

bool is_encoder_linear_weight(std::string_view canonical) {
  return canonical.starts_with("bert.encoder.layer.") && canonical.ends_with(".weight") &&
         canonical.find("LayerNorm") == std::string_view::npos;
}

bool is_quantized_tensor(std::string_view canonical) {
  return canonical == kWordEmbeddings || is_encoder_linear_weight(canonical);
}

std::string linear_prefix(std::string_view weight) {
  return std::string(weight.substr(0, weight.size() - std::string_view(".weight").size()));
}

std::string weights_checkpoint_name(const std::string& canonical, ModelType type) {
  for (std::string_view suffix : {kInputScaleSuffix, kInputZeroPointSuffix}) {
    if (canonical.ends_with(suffix)) {
      const std::string base = canonical.substr(0, canonical.size() - suffix.size()) + ".weight";
      return linear_prefix(checkpoint_name(base, type)) + std::string(suffix);
    }
  }
  if (canonical.ends_with(std::string(".weight") + std::string(kWeightScaleSuffix)))
    return checkpoint_name(canonical.substr(0, canonical.size() - kWeightScaleSuffix.size()),
                           type) +
           std::string(kWeightScaleSuffix);
  return checkpoint_name(canonical, type);
}

std::optional<std::string> weights_canonical_name(const std::string& name, ModelType type) {
  for (std::string_view suffix : {kInputScaleSuffix, kInputZeroPointSuffix}) {
    if (name.ends_with(suffix)) {
      const auto base =
          canonical_name(name.substr(0, name.size() - suffix.size()) + ".weight", type);
      if (!base) return std::nullopt;
      return linear_prefix(*base) + std::string(suffix);
    }
  }
  if (name.ends_with(std::string(".weight") + std::string(kWeightScaleSuffix))) {
    const auto base = canonical_name(name.substr(0, name.size() - kWeightScaleSuffix.size()), type);
    if (!base) return std::nullopt;
    return *base + std::string(kWeightScaleSuffix);
  }
  return canonical_name(name, type);
}

std::map<std::string, std::string> weights_metadata(const ModelTensors& tensors) {
  std::map<std::string, std::string> metadata{{"format", "pt"},
                                              {kVersionKey, std::to_string(kWeightsVersion)},
                                              {kPrecisionKey, precision_name(tensors.precision)}};
  if (tensors.precision == Precision::int8) {
    metadata[kActivationTypeKey] = std::string(activation_type_name(tensors.activations));
    metadata[kActivationScalesKey] = tensors.static_activations ? "static" : "dynamic";
  }
  return metadata;
}

WeightsHeader read_weights_header(const std::map<std::string, std::string>& metadata,
                                  const std::string& label) {
  WeightsHeader header;
  auto value = [&](const char* key) -> const std::string* {
    auto it = metadata.find(key);
    return it == metadata.end() ? nullptr : &it->second;
  };
  const std::string* version = value(kVersionKey);
  const std::string* precision = value(kPrecisionKey);
  if (version == nullptr && precision == nullptr) return header;  // HF / PyTorch: fp32
  header.greenbert = true;
  header.version = 1;
  if (version != nullptr) {
    if (*version != "1" && *version != "2")
      fail(label, ": ", kVersionKey, " is '", version->substr(0, 20),
           "': this greenbert reads versions 1 and 2 (a newer greenbert wrote it?)");
    header.version = *version == "1" ? 1 : 2;
  }
  if (precision == nullptr) fail(label, ": greenbert weights without ", kPrecisionKey, " metadata");
  // Version 1 spelled fp32 "f32"; version 2 only "fp32".
  const bool known = *precision == "bf16" || *precision == "int8" ||
                     *precision == (header.version == 1 ? "f32" : "fp32");
  if (!known)
    fail(label, ": ", kPrecisionKey, " is '", precision->substr(0, 20), "' (",
         header.version == 1 ? "f32" : "fp32", ", bf16 or int8)");
  header.precision = parse_precision(*precision, label);
  if (header.precision != Precision::int8) return header;
  auto required = [&](const char* key) {
    const std::string* found = value(key);
    if (found == nullptr) fail(label, ": int8 model without ", key, " metadata");
    return *found;
  };
  header.activations =
      parse_activation_type(required(kActivationTypeKey), cat(label, ": ", kActivationTypeKey));
  const std::string scales = required(kActivationScalesKey);
  if (scales != "static" && scales != "dynamic")
    fail(label, ": ", kActivationScalesKey, " is '", scales.substr(0, 20), "' (static or dynamic)");
  header.static_activations = scales == "static";
  return header;
}

void check_model_tensors(const ModelTensors& tensors, const BertConfig& config,
                         const std::string& label) {
  std::set<std::string, std::less<>> expected_names;
  for (const Expected& e : expected_tensors(config, tensors)) {
    expected_names.insert(e.name);
    const TensorView* view = tensors.find(e.name);
    const std::string name = weights_checkpoint_name(e.name, config.model_type);
    if (view == nullptr) fail(label, ": tensor ", name, " is missing");
    if (view->dtype != e.dtype)
      fail(label, ": tensor ", name, ": dtype ", dtype_name(view->dtype), ", expected ",
           dtype_name(e.dtype));
    if (view->shape != e.shape)
      fail(label, ": tensor ", name, ": shape ", format_shape(view->shape),
           " but config.json needs ", format_shape(e.shape));
  }
  // The masked-LM head an fp32 file may carry, all of it or nothing.
  std::optional<ParameterLayout> with_head;
  for (const auto& [name, view] : tensors.tensors) {
    if (expected_names.contains(name)) continue;
    const std::string checkpoint = weights_checkpoint_name(name, config.model_type);
    if (tensors.precision == Precision::fp32 && is_masked_lm_tensor(name)) {
      if (!with_head) with_head.emplace(config, LayoutOptions{.masked_lm_head = true});
      const ParameterTensor* t = with_head->find(name);
      if (t != nullptr && view.dtype == DType::F32 && view.shape == t->shape) continue;
      fail(label, ": tensor ", checkpoint, ": not the F32 ",
           t ? format_shape(t->shape) : std::string("[?]"), " tensor of a masked-LM head");
    }
    fail(label, ": tensor ", checkpoint, ": not expected in a ", precision_name(tensors.precision),
         " model", tensors.static_activations ? "" : " with dynamic activation scales");
  }
  require_finite(tensors.tensors, config.model_type, label);
  check_scales(tensors, config, label);
}

void require_finite(const std::map<std::string, TensorView, std::less<>>& tensors, ModelType type,
                    const std::string& label) {
  // Chunks of every tensor in parallel: a bert-base file holds 110M values, all read here.
  constexpr int64_t kChunk = int64_t{1} << 18;
  struct Chunk {
    const std::string* name;
    const TensorView* view;
    int64_t begin, end;
  };
  std::vector<Chunk> chunks;
  for (const auto& [name, view] : tensors)
    for (int64_t begin = 0; begin < view.numel(); begin += kChunk)
      chunks.push_back({&name, &view, begin, std::min(view.numel(), begin + kChunk)});
  std::vector<int64_t> found(chunks.size(), -1);
#pragma omp parallel for schedule(dynamic)
  for (size_t c = 0; c < chunks.size(); ++c)
    found[c] = first_non_finite(*chunks[c].view, chunks[c].begin, chunks[c].end);
  for (size_t c = 0; c < chunks.size(); ++c) {
    if (found[c] < 0) continue;
    fail(label, ": tensor ", weights_checkpoint_name(*chunks[c].name, type), ": value ",
         value_at(*chunks[c].view, found[c]), " at index ", found[c], " is not finite");
  }
}

}  // namespace greenbert
