#pragma once
// Everything the forward pass keeps for the backward pass, plus the backward's scratch, in one
// arena sized once for a maximum batch (tokens, sequences, longest sequence) and reused by
// every step: the training loop never allocates.
//
// Shapes (T tokens, B sequences, C hidden, I intermediate): see the fields. Dropout masks are
// not stored; the backward pass regenerates them from the seed of the forward pass.
#include <cstdint>
#include <span>
#include <vector>

#include "kernels/gemm.h"
#include "model/config.h"
#include "tensor/aligned_array.h"

namespace greenbert {

struct ActivationLimits {
  int64_t tokens = 0;      // T of the largest batch
  int64_t sequences = 0;   // B of the largest batch
  int64_t max_length = 0;  // longest sequence (bounds attention memory: heads · T · max_length)
};

// Where a batch starts within the batch it is one rank's shard of (core/process_group.h): its
// dropout masks are those of the same elements of the whole batch, so that the ranks together
// drop exactly what one process would.
struct DropoutOffsets {
  int64_t tokens = 0;           // tokens of the sequences before the shard
  int64_t sequences = 0;        // sequences before it
  int64_t attention_probs = 0;  // their attention probabilities, Σ heads·L²
};

struct ForwardOptions {
  // A constructor rather than an aggregate: the many {training, seed, precision} of whole
  // batches need not spell out `shard`.
  ForwardOptions(bool training = false, uint64_t dropout_seed = 0,
                 Precision precision = Precision::fp32, DropoutOffsets shard = {})
      : training(training), dropout_seed(dropout_seed), precision(precision), shard(shard) {}

  bool training;          // dropout on
  uint64_t dropout_seed;  // per step: dropout_seed_for_step(run seed, step)
  Precision precision;    // of the Linear-layer GEMMs (fp32 or bf16)
  DropoutOffsets shard;   // zero: the batch is whole
};

struct LayerActivations {
  float* qkv = nullptr;             // (T, 3C) [q | k | v]
  float* probs = nullptr;           // attention probabilities before dropout, Σ_s heads·L_s²
  float* context = nullptr;         // (T, C) attention context, heads side by side
  float* attention_sum = nullptr;   // (T, C) dropout(context·Woᵀ + bo) + layer input
  float* attention_mean = nullptr;  // (T)
  float* attention_rstd = nullptr;  // (T)
  float* attention_out = nullptr;   // (T, C) LayerNorm(attention_sum): FFN input and residual
  float* ffn_pre = nullptr;         // (T, I) intermediate dense output, GELU input
  float* ffn_sum = nullptr;         // (T, C) dropout(gelu·W2ᵀ + b2) + attention_out
  float* ffn_mean = nullptr;        // (T)
  float* ffn_rstd = nullptr;        // (T)
  float* out = nullptr;             // (T, C) LayerNorm(ffn_sum): the layer's output
};

class Activations {
 public:
  Activations(const BertConfig& config, ActivationLimits limits);

  const ActivationLimits& limits() const { return limits_; }
  int64_t bytes() const { return static_cast<int64_t>(arena_.size() * sizeof(float)); }
  // Throws greenbert::Error when a batch exceeds the limits this arena was sized for.
  void check_fits(int64_t tokens, int64_t sequences, int64_t max_length, int64_t probs_size) const;

  // Of the last forward pass:
  std::span<const float> last_hidden_state() const;  // (T, C)
  std::span<const float> pooled() const;             // (B, C) head dense + activation

  // What the last forward pass ran on; the backward pass checks and reuses it.
  int64_t tokens = 0, sequences = 0;
  ForwardOptions options;

  // Forward state.
  float* embedding_sum = nullptr;   // (T, C) word + position + token type
  float* embedding_mean = nullptr;  // (T)
  float* embedding_rstd = nullptr;  // (T)
  float* embedding_out = nullptr;   // (T, C) dropout(LayerNorm(embedding_sum)): layer 0 input
  std::vector<LayerActivations> layers;
  float* cls = nullptr;           // (B, C) encoder output at each sequence's first token
  float* head_out = nullptr;      // (B, C) activation(cls·Wᵀ + b) (pooler / pre_classifier)
  float* head_dropped = nullptr;  // (B, C) dropout(head_out): classifier input

  // Scratch shared by all layers.
  float* ffn_act = nullptr;              // (T, I) GELU output in forward; its gradient in backward
  float* attention_workspace = nullptr;  // attention_workspace_size(max_length, threads)
  float* d_hidden = nullptr;             // (T, C) gradient w.r.t. the current layer output
  float* d_branch = nullptr;             // (T, C) gradient inside a residual branch
  float* d_context = nullptr;            // (T, C)
  float* d_qkv = nullptr;                // (T, 3C)
  float* d_cls = nullptr;                // (B, C)
  float* d_head = nullptr;               // (B, C)

 private:
  ActivationLimits limits_;
  int64_t hidden_ = 0;
  int64_t probs_capacity_ = 0;
  int attention_threads_ = 1;  // per-thread attention workspaces
  AlignedArray<float> arena_;
};

}  // namespace greenbert
