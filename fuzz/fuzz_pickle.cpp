// The restricted unpickler: whatever it returns refers only to objects it built, and never
// ends past the bytes it was given.
#include "io/pickle.h"
#include "target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  fuzz::read_or_refuse([&] {
    const Unpickled pickle = unpickle(std::as_bytes(std::span(data, size)), "fuzz.pkl");
    fuzz::require(pickle.root < pickle.objects.size(), "root is not an object");
    fuzz::require(pickle.size <= size, "the pickle ends past the input");
    for (const PickleObject& object : pickle.objects)
      for (uint32_t item : object.items)
        fuzz::require(item < pickle.objects.size(), "an item is not an object");
  });
  return 0;
}
