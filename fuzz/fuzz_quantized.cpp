// A quantized (or f32) model.safetensors as the inference session reads it: precision and
// activation metadata, every tensor the tiny model needs with its dtype and shape, scales.
// The input is framed as in fuzz_safetensors (header JSON, NUL, data).
#include "infer/quantized_model.h"
#include "json_mutator.h"
#include "scratch.h"
#include "tensor_checks.h"

namespace {
constexpr std::string_view kKeys[] = {"__metadata__",
                                      "greenbert_precision",
                                      "greenbert_activation_type",
                                      "greenbert_activation_scales",
                                      "int8",
                                      "bf16",
                                      "f32",
                                      "u8",
                                      "s8",
                                      "static",
                                      "dynamic",
                                      "dtype",
                                      "shape",
                                      "data_offsets",
                                      "I8",
                                      "BF16",
                                      "F32",
                                      ".weight_scale",
                                      ".input_scale",
                                      ".input_zero_point",
                                      "bert.embeddings.word_embeddings.weight",
                                      "bert.encoder.layer.0.attention.self.query.weight",
                                      "bert.encoder.layer.0.intermediate.dense.weight_scale"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  static const BertConfig config = fuzz::tiny_config();
  const auto path =
      fuzz::scratch_file("model.safetensors", fuzz::frame_safetensors(fuzz::as_text(data, size)));
  fuzz::read_or_refuse([&] {
    const PrecisionTensors tensors = read_precision_tensors(path, config);
    for (const auto& [name, view] : tensors.tensors) fuzz::check_view(view);
  });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
