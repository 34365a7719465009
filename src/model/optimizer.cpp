#include "model/optimizer.h"

#include "core/error.h"

namespace greenbert {

void adamw_step(ParameterBuffer& params, const ParameterBuffer& grads, AdamWState& state,
                const AdamWHyper& hyper) {
  if (grads.size() != params.size() || state.m.size() != params.size())
    fail("adamw_step: parameters, gradients and moments have different layouts");
  ++state.step;
  AdamWHyper no_decay = hyper;
  no_decay.weight_decay = 0.0f;
  for (const ParameterTensor& t : params.layout().tensors())
    adamw_update(params.at(t.offset), grads.at(t.offset), state.m.at(t.offset),
                 state.v.at(t.offset), t.size, t.weight_decay() ? hyper : no_decay, state.step);
}

double clip_gradients(ParameterBuffer& grads, float max_norm) {
  // The alignment gaps between tensors hold zeros: the norm over the whole buffer is the norm
  // over the parameters.
  double norm = global_norm(grads.data(), grads.size());
  scale(grads.data(), grads.size(), clip_factor(norm, max_norm));
  return norm;
}

}  // namespace greenbert
