// A quantized (or fp32) model.safetensors as ModelDirectory::open checks it for the inference
// session: precision and activation metadata, every tensor the tiny model needs with its dtype and
// shape, finite values, scales. The input is framed as in fuzz_safetensors (header JSON, NUL,
// data).
#include "json_mutator.h"
#include "model/model_directory.h"
#include "model_dir_fixture.h"
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
  const std::string file = fuzz::frame_safetensors(fuzz::as_text(data, size));
  const auto check = [](const ModelDirectory& model) {
    for (const auto& [name, view] : model.require_weights().tensors.tensors) fuzz::check_view(view);
  };
  fuzz::open_with_file("quantized", true, "model.safetensors", file, check);
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
