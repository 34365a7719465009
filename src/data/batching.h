#pragma once
// Examples become batches here. Every example is tokenized ONCE (in parallel) into flat
// arrays; an epoch is then a list of batches of example indices, formed by length so that the
// batches' token counts are even (packed batches already skip padding inside a batch):
//
//   shuffle all examples with (seed, epoch) → cut into chunks of `chunk_batches` batches →
//   sort each chunk by length (stable) → cut it into batches → shuffle the batch order.
//
// The plan is a pure function of (lengths, batch size, seed, epoch), so a resumed run sees
// exactly the batches the interrupted one would have: it restarts at a batch index.
// Filling a batch reuses the TokenBatch and target buffers: no allocation per step.
#include <cstdint>
#include <span>
#include <vector>

#include "data/dataset.h"
#include "data/token_batch.h"
#include "text/bert_tokenizer.h"

namespace greenbert {

// The model input and label ids of n examples, back to back.
struct EncodedExamples {
  std::vector<int32_t> ids;          // all examples' token ids, concatenated
  std::vector<int32_t> token_types;  // same size as ids, or empty (single-text input: all 0)
  // Same size as ids, or empty: positions 0..length-1 (what encoded text has; HF inputs with
  // holes in their attention mask keep the positions of the tokens they keep).
  std::vector<int32_t> positions;
  std::vector<int64_t> offsets{0};        // (n + 1): example i is ids[offsets[i], offsets[i+1])
  std::vector<int32_t> labels;            // all examples' label ids, concatenated
  std::vector<int64_t> label_offsets{0};  // (n + 1)

  int64_t size() const { return static_cast<int64_t>(offsets.size()) - 1; }
  int64_t length(int64_t i) const { return offsets[i + 1] - offsets[i]; }
  int64_t tokens() const { return static_cast<int64_t>(ids.size()); }
  std::span<const int32_t> example_ids(int64_t i) const;
  std::span<const int32_t> example_types(int64_t i) const;      // empty without token types
  std::span<const int32_t> example_positions(int64_t i) const;  // empty: 0..length-1
  std::span<const int32_t> example_labels(int64_t i) const;
  std::vector<int64_t> lengths() const;
};

// encode_example of every example (in parallel), truncated to max_length tokens; labels are the
// examples' label ids (their unseen terms are not targets).
EncodedExamples encode_examples(const BertTokenizer& tokenizer, std::span<const Example> examples,
                                TextInput text, size_t max_length);

// Batches as lists of example indices: batch b is order[batch_start[b], batch_start[b+1]).
struct BatchPlan {
  std::vector<int64_t> order;
  std::vector<int64_t> batch_start{0};

  int64_t batches() const { return static_cast<int64_t>(batch_start.size()) - 1; }
  std::span<const int64_t> batch(int64_t b) const;
};

// The training batches of `epoch` as described above. Every example is in exactly one batch;
// all batches hold batch_size examples except possibly one (the remainder). lengths (n).
BatchPlan plan_epoch(std::span<const int64_t> lengths, int64_t batch_size, uint64_t seed,
                     int64_t epoch, int64_t chunk_batches = 50);

// Batches for inference: examples sorted by length (stable), cut every batch_size.
BatchPlan plan_inference(std::span<const int64_t> lengths, int64_t batch_size);

// Number of batches of batch_size that n examples make.
int64_t batch_count(int64_t examples, int64_t batch_size);

// Reserves `batch` for `sequences` sequences of at most max_length tokens, so filling it never
// allocates.
void reserve_batch(TokenBatch& batch, int64_t sequences, int64_t max_length, bool token_types);

// Fills `batch` with the examples `indices` (capacity kept: see reserve_batch).
void fill_batch(const EncodedExamples& data, std::span<const int64_t> indices, TokenBatch& batch);

// Multi-hot targets (n, labels) of `data`'s label ids, as compute_metrics takes them.
std::vector<uint8_t> target_matrix(const EncodedExamples& data, int64_t labels);

// Multi-hot targets (indices.size(), labels) of the examples `indices` into `targets`, which
// must hold at least that many values; label ids must be < labels.
void fill_targets(const EncodedExamples& data, std::span<const int64_t> indices, int64_t labels,
                  std::span<float> targets);

}  // namespace greenbert
