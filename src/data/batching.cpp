#include "data/batching.h"

#include <algorithm>

#include "core/error.h"
#include "core/run_seeds.h"
#include "data/encode_example.h"
#include "data/seeded_random.h"

namespace greenbert {

std::span<const int32_t> EncodedExamples::example_ids(int64_t i) const {
  return std::span<const int32_t>(ids).subspan(static_cast<size_t>(offsets[i]),
                                               static_cast<size_t>(length(i)));
}

std::span<const int32_t> EncodedExamples::example_types(int64_t i) const {
  if (token_types.empty()) return {};
  return std::span<const int32_t>(token_types)
      .subspan(static_cast<size_t>(offsets[i]), static_cast<size_t>(length(i)));
}

std::span<const int32_t> EncodedExamples::example_positions(int64_t i) const {
  if (positions.empty()) return {};
  return std::span<const int32_t>(positions).subspan(static_cast<size_t>(offsets[i]),
                                                     static_cast<size_t>(length(i)));
}

std::span<const int32_t> EncodedExamples::example_labels(int64_t i) const {
  return std::span<const int32_t>(labels).subspan(
      static_cast<size_t>(label_offsets[i]),
      static_cast<size_t>(label_offsets[i + 1] - label_offsets[i]));
}

std::vector<int64_t> EncodedExamples::lengths() const {
  std::vector<int64_t> result(static_cast<size_t>(size()));
  for (int64_t i = 0; i < size(); ++i) result[static_cast<size_t>(i)] = length(i);
  return result;
}

EncodedExamples encode_examples(const BertTokenizer& tokenizer, std::span<const Example> examples,
                                TextInput text, size_t max_length) {
  const auto n = static_cast<int64_t>(examples.size());
  std::vector<Encoding> encodings(examples.size());
#pragma omp parallel for schedule(dynamic, 64)
  for (int64_t i = 0; i < n; ++i) {
    const auto at = static_cast<size_t>(i);
    encodings[at] = encode_example(tokenizer, examples[at], text, max_length);
  }
  EncodedExamples encoded;
  const bool pairs = text == TextInput::title_and_abstract;
  int64_t total = 0;
  for (const Encoding& e : encodings) total += static_cast<int64_t>(e.input_ids.size());
  encoded.ids.reserve(static_cast<size_t>(total));
  if (pairs) encoded.token_types.reserve(static_cast<size_t>(total));
  encoded.offsets.reserve(examples.size() + 1);
  encoded.label_offsets.reserve(examples.size() + 1);
  for (size_t i = 0; i < examples.size(); ++i) {
    Encoding& e = encodings[i];
    encoded.ids.insert(encoded.ids.end(), e.input_ids.begin(), e.input_ids.end());
    if (pairs)
      encoded.token_types.insert(encoded.token_types.end(), e.token_type_ids.begin(),
                                 e.token_type_ids.end());
    encoded.offsets.push_back(static_cast<int64_t>(encoded.ids.size()));
    encoded.labels.insert(encoded.labels.end(), examples[i].labels.begin(),
                          examples[i].labels.end());
    encoded.label_offsets.push_back(static_cast<int64_t>(encoded.labels.size()));
    e = Encoding{};  // frees the copy as we go
  }
  return encoded;
}

std::span<const int64_t> BatchPlan::batch(int64_t b) const {
  return std::span<const int64_t>(order).subspan(
      static_cast<size_t>(batch_start[b]),
      static_cast<size_t>(batch_start[b + 1] - batch_start[b]));
}

int64_t batch_count(int64_t examples, int64_t batch_size) {
  if (batch_size < 1) fail("batch size must be at least 1, got ", batch_size);
  return (examples + batch_size - 1) / batch_size;
}

namespace {

void sort_by_length(std::span<int64_t> indices, std::span<const int64_t> lengths) {
  std::stable_sort(indices.begin(), indices.end(), [&](int64_t a, int64_t b) {
    return lengths[static_cast<size_t>(a)] < lengths[static_cast<size_t>(b)];
  });
}

void cut(BatchPlan& plan, int64_t batch_size) {
  const auto n = static_cast<int64_t>(plan.order.size());
  plan.batch_start.assign(1, 0);
  for (int64_t start = batch_size; start < n; start += batch_size)
    plan.batch_start.push_back(start);
  if (n > 0) plan.batch_start.push_back(n);
}

}  // namespace

BatchPlan plan_epoch(std::span<const int64_t> lengths, int64_t batch_size, uint64_t seed,
                     int64_t epoch, int64_t chunk_batches) {
  batch_count(0, batch_size);  // checks batch_size
  if (chunk_batches < 1) fail("chunk_batches must be at least 1, got ", chunk_batches);
  SeededRandom random(derive_seed(seed, SeedPurpose::epoch_order, static_cast<uint64_t>(epoch)));
  BatchPlan sorted;
  sorted.order.resize(lengths.size());
  for (size_t i = 0; i < lengths.size(); ++i) sorted.order[i] = static_cast<int64_t>(i);
  seeded_shuffle(std::span<int64_t>(sorted.order), random);
  const auto n = static_cast<int64_t>(sorted.order.size());
  const int64_t chunk = chunk_batches * batch_size;
  for (int64_t start = 0; start < n; start += chunk)
    sort_by_length(
        std::span<int64_t>(sorted.order)
            .subspan(static_cast<size_t>(start), static_cast<size_t>(std::min(chunk, n - start))),
        lengths);
  cut(sorted, batch_size);

  // The batches in a shuffled order, so that no part of the epoch sees only short or long ones.
  std::vector<int64_t> batch_order(static_cast<size_t>(sorted.batches()));
  for (size_t b = 0; b < batch_order.size(); ++b) batch_order[b] = static_cast<int64_t>(b);
  seeded_shuffle(std::span<int64_t>(batch_order), random);
  BatchPlan plan;
  plan.order.reserve(sorted.order.size());
  plan.batch_start.reserve(sorted.batch_start.size());
  for (int64_t b : batch_order) {
    const auto indices = sorted.batch(b);
    plan.order.insert(plan.order.end(), indices.begin(), indices.end());
    plan.batch_start.push_back(static_cast<int64_t>(plan.order.size()));
  }
  return plan;
}

BatchPlan plan_inference(std::span<const int64_t> lengths, int64_t batch_size) {
  batch_count(0, batch_size);
  BatchPlan plan;
  plan.order.resize(lengths.size());
  for (size_t i = 0; i < lengths.size(); ++i) plan.order[i] = static_cast<int64_t>(i);
  sort_by_length(plan.order, lengths);
  cut(plan, batch_size);
  return plan;
}

void reserve_batch(TokenBatch& batch, int64_t sequences, int64_t max_length, bool token_types) {
  const auto tokens = static_cast<size_t>(sequences * max_length);
  batch.input_ids.reserve(tokens);
  batch.position_ids.reserve(tokens);
  if (token_types) batch.token_type_ids.reserve(tokens);
  batch.seq_start.reserve(static_cast<size_t>(sequences) + 1);
}

void fill_batch(const EncodedExamples& data, std::span<const int64_t> indices, TokenBatch& batch) {
  batch.clear();
  for (int64_t i : indices) {
    batch.add_sequence(data.example_ids(i), data.example_types(i));
    const auto positions = data.example_positions(i);
    std::copy(positions.begin(), positions.end(), batch.position_ids.end() - data.length(i));
  }
}

void fill_targets(const EncodedExamples& data, std::span<const int64_t> indices, int64_t labels,
                  std::span<float> targets) {
  const size_t n = indices.size() * static_cast<size_t>(labels);
  if (targets.size() < n)
    fail("fill_targets: room for ", targets.size(), " targets, ", n, " needed");
  std::fill_n(targets.begin(), n, 0.0f);
  for (size_t row = 0; row < indices.size(); ++row) {
    for (int32_t label : data.example_labels(indices[row])) {
      if (label < 0 || label >= labels)
        fail("fill_targets: label id ", label, " is outside 0..", labels - 1);
      targets[row * static_cast<size_t>(labels) + static_cast<size_t>(label)] = 1.0f;
    }
  }
}

std::vector<uint8_t> target_matrix(const EncodedExamples& data, int64_t labels) {
  std::vector<uint8_t> targets(static_cast<size_t>(data.size() * labels), 0);
  for (int64_t i = 0; i < data.size(); ++i)
    for (int32_t label : data.example_labels(i)) {
      if (label < 0 || label >= labels)
        fail("target_matrix: label id ", label, " is outside 0..", labels - 1);
      targets[static_cast<size_t>(i * labels + label)] = 1;
    }
  return targets;
}

}  // namespace greenbert
