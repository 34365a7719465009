#pragma once
// AdamW over a whole ParameterBuffer (weight decay only where ParameterTensor::weight_decay(),
// HF's no_decay rule) and global-norm clipping of all gradients together, as
// torch.optim.AdamW + torch.nn.utils.clip_grad_norm_ do over model.parameters().
#include <cstdint>

#include "kernels/adamw.h"
#include "model/parameters.h"

namespace greenbert {

struct AdamWState {
  explicit AdamWState(const ParameterBuffer& params)
      : m(ParameterBuffer::zeros_like(params)), v(ParameterBuffer::zeros_like(params)) {}

  ParameterBuffer m;  // first moments, same layout as the parameters (checkpointed with them)
  ParameterBuffer v;  // second moments
  int64_t step = 0;   // updates done so far
};

// One AdamW update with `grads`; increments state.step first (torch's convention).
void adamw_step(ParameterBuffer& params, const ParameterBuffer& grads, AdamWState& state,
                const AdamWHyper& hyper);

// Scales all gradients so that their global L2 norm is at most max_norm; returns the norm
// before clipping (what training logs show as grad_norm).
double clip_gradients(ParameterBuffer& grads, float max_norm);

}  // namespace greenbert
