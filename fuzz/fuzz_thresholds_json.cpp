// thresholds.json of a model directory: every threshold loaded is in [0, 1], one per label.
#include "json_mutator.h"
#include "model/model_directory.h"
#include "model_dir_fixture.h"

namespace {
constexpr std::string_view kKeys[] = {
    "format", "greenbert-thresholds", "version", "global", "use_per_label", "per_label", "a", "b"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto check = [](const ModelDirectory& model) {
    const auto effective = model.thresholds.effective();
    fuzz::require(effective.size() == 1 || effective.size() == fuzz::tiny_config().labels.size(),
                  "thresholds are neither one global nor one per label");
    for (float t : effective) fuzz::require(t >= 0 && t <= 1, "a threshold outside [0, 1]");
  };
  fuzz::open_with_file("thresholds_json", true, "thresholds.json", fuzz::as_text(data, size),
                       check);
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
