// PyTorch checkpoints, ZIP (torch >= 1.6) and legacy, through the loader's format detection:
// every tensor returned is as large as its shape says and lies in memory the loader owns.
#include "io/tensor_file.h"
#include "tensor_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  fuzz::read_or_refuse([&] {
    fuzz::check_tensor_set(read_tensor_set(std::as_bytes(std::span(data, size)), "fuzz.bin"));
  });
  return 0;
}
