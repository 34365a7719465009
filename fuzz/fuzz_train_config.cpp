// A run's train_config.json as eval and predict read it (the data options of the run's split;
// its --max-length and --text are ModelDirectory::open's, fuzzed with the config_json target); a
// --resume reads the same keys.
#include "cli/data_options.h"
#include "cli/run_config.h"
#include "json_mutator.h"
#include "model/model_directory.h"
#include "scratch.h"
#include "target.h"

namespace {
constexpr std::string_view kKeys[] = {
    "data",      "format", "title-column", "text-column",   "terms-column",  "on-error",
    "max-rows",  "seed",   "split-ratios", "text",          "preset",        "config",
    "init",      "vocab",  "vocab-size",   "epochs",        "batch-size",    "grad-accum",
    "lr",        "warmup", "weight-decay", "max-grad-norm", "max-length",    "eval-every",
    "precision", "csv",    "jsonl",        "skip",          "0.9,0.05,0.05", "title+abstract"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  const auto path = fuzz::scratch_file("run/train_config.json", fuzz::as_text(data, size));
  fuzz::read_or_refuse([&] {
    const nlohmann::json config = load_run_config(path.parent_path());
    cli::DataOptions options;
    cli::data_options_from_run([](const std::string&) { return false; }, config, "fuzz input",
                               options);
    cli::to_load_options(options);
  });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
