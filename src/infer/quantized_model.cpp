#include "infer/quantized_model.h"

#include "core/error.h"
#include "kernels/bf16.h"
#include "model/names.h"

namespace greenbert {
namespace {

template <typename T>
TensorView owned_view(ModelTensors& out, DType dtype, std::vector<int64_t> shape,
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

ModelTensors quantize_parameters(const BertConfig& config,
                                 std::shared_ptr<const ParameterBuffer> params, Precision precision,
                                 ActivationType activations, const ActivationRanges* ranges) {
  ModelTensors out;
  out.precision = precision;
  out.activations = activations;
  out.keep_alive.push_back(params);
  for (const ParameterTensor& t : params->layout().tensors()) {
    if (is_masked_lm_tensor(t.name)) continue;
    const std::span<const float> values = params->view(t);
    if (precision == Precision::fp32 || !is_quantized_tensor(t.name)) {
      out.tensors[t.name] = {DType::F32, t.shape, std::as_bytes(values)};
      continue;
    }
    const int64_t rows = t.shape[0], cols = t.shape[1];
    if (precision == Precision::bf16) {
      std::vector<uint16_t> converted(values.size());
      to_bf16_strided(converted.data(), values.data(), rows, cols, cols);
      out.tensors[t.name] = owned_view(out, DType::BF16, t.shape, std::move(converted));
      continue;
    }
    std::vector<int8_t> q(values.size());
    std::vector<float> scales(static_cast<size_t>(rows));
    quantize_rows_symmetric(q.data(), scales.data(), values.data(), rows, cols);
    out.tensors[t.name] = owned_view(out, DType::I8, t.shape, std::move(q));
    out.tensors[t.name + std::string(kWeightScaleSuffix)] =
        owned_view(out, DType::F32, {rows}, std::move(scales));
  }
  if (precision == Precision::int8 && ranges != nullptr) {
    if (static_cast<int64_t>(ranges->ranges.size()) != config.num_layers)
      fail("calibration has ranges for ", ranges->ranges.size(), " layers, the model has ",
           config.num_layers);
    out.static_activations = true;
    for (int64_t l = 0; l < config.num_layers; ++l)
      for (int i = 0; i < kLinearInputs; ++i) {
        const auto [lo, hi] = ranges->ranges[static_cast<size_t>(l)][static_cast<size_t>(i)];
        const RowQuantization q = quantization_for_range(lo, hi, activations, kStoredU8Max);
        for (const std::string& weight : linears_of(l, static_cast<LinearInput>(i))) {
          const std::string prefix = linear_prefix(weight);
          out.tensors[prefix + std::string(kInputScaleSuffix)] =
              owned_view(out, DType::F32, {}, std::vector<float>{q.scale});
          out.tensors[prefix + std::string(kInputZeroPointSuffix)] =
              owned_view(out, DType::F32, {}, std::vector<float>{static_cast<float>(q.zero_point)});
        }
      }
  }
  return out;
}

}  // namespace greenbert
