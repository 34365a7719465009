#include "core/precision.h"

#include "core/error.h"

namespace greenbert {

const char* precision_name(Precision precision) {
  switch (precision) {
    case Precision::fp32:
      return "fp32";
    case Precision::bf16:
      return "bf16";
    case Precision::int8:
      return "int8";
  }
  return "?";
}

Precision parse_precision(std::string_view name, std::string_view what) {
  for (Precision p : kPrecisions)
    if (name == precision_name(p)) return p;
  if (name == "f32" || name == "float32") return Precision::fp32;
  fail(what, ": unknown precision '", name, "' (fp32, bf16 or int8)");
}

std::string_view activation_type_name(ActivationType type) {
  return type == ActivationType::s8 ? "s8" : "u8";
}

ActivationType parse_activation_type(std::string_view name, std::string_view what) {
  if (name == "s8") return ActivationType::s8;
  if (name == "u8") return ActivationType::u8;
  fail(what, ": unknown activation type '", name, "' (u8 or s8)");
}

}  // namespace greenbert
