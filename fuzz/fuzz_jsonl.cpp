// libFuzzer entry point: see harness.h for what is checked.
#include <cstddef>
#include <cstdint>

#include "harness.h"
#include "json_mutator.h"

namespace {
constexpr std::string_view kKeys[] = {"title", "abstract", "categories", "id", "cs.LG"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  greenbert::fuzz::check_jsonl(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
