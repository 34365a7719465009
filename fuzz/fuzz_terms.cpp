// libFuzzer entry point: see harness.h for what is checked.
#include <cstddef>
#include <cstdint>

#include "harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  greenbert::fuzz::check_terms(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
