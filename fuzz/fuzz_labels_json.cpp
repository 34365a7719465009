// labels.json: loaded labels save and load back the same.
#include "data/label_map.h"
#include "json_mutator.h"
#include "scratch.h"
#include "target.h"

namespace {
constexpr std::string_view kKeys[] = {"format", "greenbert-labels", "version", "labels",
                                      "cs.LG",  "stat.ML"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto path = fuzz::scratch_file("labels.json", fuzz::as_text(data, size));
  fuzz::read_or_refuse([&] {
    const LabelMap labels = LabelMap::load(path);
    labels.save(path);
    fuzz::require(LabelMap::load(path) == labels, "labels.json does not read back as written");
  });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
