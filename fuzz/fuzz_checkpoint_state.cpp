// The training state a --resume reads: the JSON in a checkpoint's 'state' metadata. The input is
// that JSON; the target writes it into a checkpoint of the tiny model and loads it back.
#include <map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/utf8_check.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"
#include "json_mutator.h"
#include "model/parameters.h"
#include "scratch.h"
#include "target.h"
#include "train/checkpoint.h"

namespace {
constexpr std::string_view kKeys[] = {"step",
                                      "epoch",
                                      "batch",
                                      "validated_step",
                                      "best_micro_f1",
                                      "best_val_loss",
                                      "best_step",
                                      "best_epoch",
                                      "train_seconds",
                                      "train_sequences",
                                      "elapsed_seconds",
                                      "seed",
                                      "batches_per_epoch",
                                      "total_steps",
                                      "42",
                                      "-1",
                                      "18446744073709551616"};

struct Checkpoint {
  greenbert::ParameterBuffer params = greenbert::make_parameters(greenbert::fuzz::tiny_config());
  greenbert::AdamWState adam{params};
  std::filesystem::path dir = greenbert::fuzz::scratch_dir() / "checkpoint";
  std::filesystem::path file = greenbert::checkpoint_file(dir);
  std::vector<greenbert::NamedTensor> tensors;
  std::map<std::string, std::string> metadata;
  std::vector<std::byte> bytes;  // what the views point into

  Checkpoint() {
    using namespace greenbert;
    save_checkpoint(dir, TrainingState{}, params, adam);
    const std::string written = read_file(file);
    bytes.assign(reinterpret_cast<const std::byte*>(written.data()),
                 reinterpret_cast<const std::byte*>(written.data()) + written.size());
    TensorSet set = read_safetensors(bytes, file.string());
    tensors = std::move(set.tensors);
    metadata = std::move(set.metadata);
  }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace greenbert;
  static Checkpoint checkpoint;
  const std::string_view state = fuzz::as_text(data, size);
  // safetensors metadata is JSON text: a checkpoint cannot hold bytes that are not UTF-8.
  if (find_invalid_utf8(state) != std::string_view::npos) return 0;
  auto metadata = checkpoint.metadata;
  metadata["state"] = std::string(state);
  write_safetensors(checkpoint.file, checkpoint.tensors, metadata);
  fuzz::read_or_refuse([&] {
    const TrainingState loaded =
        *load_checkpoint(checkpoint.dir, checkpoint.params, checkpoint.adam);
    // What a resumed run relies on: it continues inside the run it checkpointed.
    fuzz::require(loaded.step >= 0 && loaded.step <= loaded.total_steps && loaded.batch >= 0 &&
                      loaded.batch <= loaded.batches_per_epoch,
                  "an inconsistent state loaded");
  });
  return 0;
}

GREENBERT_JSON_MUTATOR(kKeys, 0)
