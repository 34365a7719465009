// The ZIP reader of PyTorch checkpoints: every entry it returns lies inside the file.
#include "io/zip.h"
#include "target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto file = std::as_bytes(std::span(data, size));
  fuzz::read_or_refuse([&] {
    for (const ZipEntry& entry : read_zip(file, "fuzz.zip")) {
      fuzz::require(entry.data.empty() ||
                        (entry.data.data() >= file.data() &&
                         entry.data.data() + entry.data.size() <= file.data() + file.size()),
                    "an entry's data lies outside the file");
      crc32(entry.data);  // reads every byte: ASan checks the bounds too
    }
  });
  return 0;
}
