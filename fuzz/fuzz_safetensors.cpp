// safetensors: the whole file as given, and the input framed as header JSON + data (see
// frame_safetensors), so that structure-aware mutations of the header reach every check.
#include "io/safetensors.h"
#include "json_mutator.h"
#include "tensor_checks.h"

namespace {
constexpr std::string_view kKeys[] = {
    "dtype", "shape", "data_offsets", "__metadata__", "F32",  "F16",    "BF16", "F64",   "I64",
    "I32",   "I16",   "I8",           "U8",           "BOOL", "format", "pt",   "weight"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const std::string_view input = fuzz::as_text(data, size);
  for (const std::string& file : {std::string(input), fuzz::frame_safetensors(input)}) {
    fuzz::read_or_refuse([&] {
      fuzz::check_tensor_set(read_safetensors(std::as_bytes(std::span(file)), "fuzz.safetensors"));
    });
  }
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
