#pragma once
// The seeds of one training run, all derived from the run's --seed by a pure function of what
// they are for and a counter (epoch, micro-batch): a resumed run derives exactly the seeds the
// interrupted one would have, so no random-generator state needs checkpointing.
#include <cstdint>

#include "core/splitmix64.h"

namespace greenbert {

enum class SeedPurpose : uint64_t {
  epoch_order = 1,
  dropout = 2,
  model_init = 3,
  masking = 4,            // pre-training: which tokens a step masks
  heldout_masking = 5,    // pre-training: the held-out batches' fixed masks
  generator_dropout = 6,  // ELECTRA: the generator's dropout
  generator_init = 7,
};

inline uint64_t derive_seed(uint64_t seed, SeedPurpose purpose, uint64_t counter = 0) {
  return splitmix64_mix(splitmix64_mix(seed ^ splitmix64_mix(static_cast<uint64_t>(purpose))) +
                        splitmix64_mix(counter));
}

}  // namespace greenbert
