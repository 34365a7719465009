#pragma once
// The precisions the inference session runs at (what `greenbert quantize` and `bench` name).
#include <cstdint>
#include <string_view>

namespace greenbert {

enum class InferencePrecision : uint8_t { f32, bf16, int8 };

// "fp32" / "bf16" / "int8"
const char* inference_precision_name(InferencePrecision precision);
// The safetensors metadata value: "f32" / "bf16" / "int8" (save_model writes "f32").
const char* precision_metadata_value(InferencePrecision precision);
// Accepts fp32, f32, bf16, int8; throws greenbert::Error naming the choices.
InferencePrecision parse_inference_precision(std::string_view name);

}  // namespace greenbert
