#include "infer/session.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/threads.h"
#include "infer/epilogue.h"
#include "infer/packed_gemm.h"
#include "io/dtype.h"
#include "io/mapped_file.h"
#include "kernels/bf16.h"
#include "kernels/parallel.h"
#include "kernels/vec_math.h"
#include "tensor/aligned_array.h"

namespace greenbert {

namespace {

GemmType gemm_type_for(Precision precision, ActivationType activations) {
  switch (precision) {
    case Precision::fp32:
      return GemmType::f32;
    case Precision::bf16:
      return GemmType::bf16;
    case Precision::int8:
      return runtime_activation_type(activations) == ActivationType::u8 ? GemmType::u8s8
                                                                        : GemmType::s8s8;
  }
  return GemmType::f32;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct LinearWeights {
  PackedWeights packed;
  std::vector<float> bias;
  std::vector<float> weight_scale;       // int8: (n)
  std::vector<int32_t> weight_sums;      // int8: (n)
  std::optional<RowQuantization> fixed;  // int8 with calibrated activation scales

  Dequantization dequantization(const RowQuantization* rows) const {
    return {weight_scale.data(), weight_sums.data(), rows};
  }
};

struct LayerWeights {
  LinearWeights qkv, attention_output, ffn_in, ffn_out;
  std::vector<float> norm1_weight, norm1_bias, norm2_weight, norm2_bias;
};

struct ThreadScratch {
  AlignedArray<float> c_big;    // (block, max(3C, I)) GEMM output: QKV, FFN in
  AlignedArray<float> c_small;  // (block, C) GEMM output: attention output, FFN out
  AlignedArray<float> in_a;     // (block, C) GEMM input of the activation type
  AlignedArray<float> in_b;     // (block, I) FFN out input (int8, bf16)
  std::vector<RowQuantization> quant_a, quant_b;  // (block)
  AlignedArray<float> attention;
  double gemm_seconds = 0, gemm_ops = 0;
  ActivationRanges ranges;  // when recording (calibration)
};

}  // namespace

struct InferenceSession::Impl {
  BertConfig config;
  Precision precision = Precision::fp32;
  ActivationType activations = ActivationType::u8;
  bool static_activations = false;
  Precision attention = Precision::fp32;
  GemmType gemm_type = GemmType::f32;
  int threads = 1;
  int64_t block_rows = 128;
  int64_t C = 0, I = 0;
  float eps = 1e-12f;
  bool record_ranges = false;
  int64_t batches = 0, sequences = 0, tokens = 0;

  std::unique_ptr<GemmPlan> plan_qkv, plan_attention_output, plan_ffn_in, plan_ffn_out;
  std::vector<LayerWeights> layers;

  DType word_type = DType::F32;
  const std::byte* word_table = nullptr;  // (vocab, C) of word_type
  std::vector<float> word_scale;          // int8: (vocab)
  std::vector<float> position, token_type, embedding_norm_weight, embedding_norm_bias;
  std::vector<float> head_dense_weight, head_dense_bias, classifier_weight, classifier_bias;
  std::vector<std::shared_ptr<const void>> keep_alive;

  // Workspace, sized for capacity_*; rows beyond T are slack for blocks padded to 16 rows.
  int64_t capacity_tokens = 0, capacity_sequences = 0, capacity_length = 0;
  AlignedArray<float> x;  // (T + 16, C) residual stream
  // (T + 16, 3C) f32 or bf16, for even and odd layers: a thread may write the next layer's Q, K,
  // V of its rows while another still reads this layer's keys and values of the same rows.
  AlignedArray<float> qkv[2];
  AlignedArray<float> context;                          // (T + 16, C)
  AlignedArray<float> cls_context, cls_hidden, pooled;  // (B + 16, C)
  std::vector<ThreadScratch> scratch;

  size_t act_bytes() const { return activation_bytes(gemm_type); }
  bool qkv_bf16() const { return attention == Precision::bf16; }
  AttentionShape geometry() const { return {config.num_heads, config.head_dim()}; }

  void build(const ModelTensors& tensors, const SessionOptions& options);
  LinearWeights build_linear(const ModelTensors& tensors, const GemmPlan& plan,
                             const std::vector<std::string>& weights);
  void ensure_capacity(int64_t tokens, int64_t sequences, int64_t length);
  void forward(const TokenBatch& batch, float* logits);

  // Per-thread pieces of the forward pass.
  void gemm(ThreadScratch& ts, int thread, const GemmPlan& plan, const void* a,
            const LinearWeights& w, void* c, int64_t rows) const;
  GemmInput input_a(ThreadScratch& ts, const LinearWeights& consumer) const;
  void embed_rows(const TokenBatch& batch, int64_t first, int64_t rows);
  // Row `row` of the layer's Q, K, V.
  const void* qkv_row(int64_t layer, int64_t row) const;
  void qkv_rows(ThreadScratch& ts, int thread, int64_t layer, int64_t first, int64_t rows);
  // context rows [first, first + rows) of the layer (queries of any sequences they cross).
  void attention_rows(ThreadScratch& ts, const TokenBatch& batch, int64_t layer, int64_t first,
                      int64_t rows);
  void post_attention_rows(ThreadScratch& ts, int thread, int64_t layer, const float* ctx,
                           float* hidden, int64_t rows, bool feeds_next_layer);
  void observe(ThreadScratch& ts, int64_t layer, LinearInput input, const float* rows, int64_t m,
               int64_t cols, int64_t ld) const;
  // logits of sequences [first, first + rows) from their final [CLS] rows in cls_hidden.
  void head_rows(int64_t first, int64_t rows, float* logits);
};

LinearWeights InferenceSession::Impl::build_linear(const ModelTensors& tensors,
                                                   const GemmPlan& plan,
                                                   const std::vector<std::string>& weights) {
  const int64_t n = plan.n(), k = plan.k();
  const size_t element = weight_bytes(gemm_type);
  std::vector<std::byte> matrix(static_cast<size_t>(n * k) * element);
  LinearWeights w;
  int64_t row = 0;
  for (const std::string& name : weights) {
    const TensorView& view = tensors.at(name);
    const std::string prefix = linear_prefix(name);
    std::memcpy(matrix.data() + static_cast<size_t>(row * k) * element, view.bytes.data(),
                view.bytes.size());
    row += view.shape[0];
    const auto bias = to_float32(tensors.at(prefix + ".bias"));
    w.bias.insert(w.bias.end(), bias.begin(), bias.end());
    if (precision == Precision::int8) {
      const auto scale = to_float32(tensors.at(name + std::string(kWeightScaleSuffix)));
      w.weight_scale.insert(w.weight_scale.end(), scale.begin(), scale.end());
    }
    if (tensors.mapped) release_mapped_pages(view.bytes);
  }
  if (row != n) fail("internal: ", row, " weight rows for a GEMM with n = ", n);
  if (precision == Precision::int8) {
    w.weight_sums.resize(static_cast<size_t>(n));
    row_sums(w.weight_sums.data(), reinterpret_cast<const int8_t*>(matrix.data()), n, k);
    if (static_activations) {
      // Valid (scale > 0, zero point in 0..255): ModelDirectory::open checked them.
      const std::string prefix = linear_prefix(weights[0]);
      const float scale = to_float32(tensors.at(prefix + std::string(kInputScaleSuffix)))[0];
      const float zero_point =
          to_float32(tensors.at(prefix + std::string(kInputZeroPointSuffix)))[0];
      w.fixed = runtime_quantization(RowQuantization{scale, static_cast<int32_t>(zero_point)},
                                     activations);
    }
  }
  w.packed = plan.pack(matrix.data());
  return w;
}

void InferenceSession::Impl::build(const ModelTensors& tensors, const SessionOptions& options) {
  validate(config, "model config");
  if (config.num_layers < 1) fail("the inference session needs at least one encoder layer");
  precision = tensors.precision;
  activations = tensors.activations;
  static_activations = tensors.static_activations;
  attention =
      options.attention.value_or(precision == Precision::fp32 ? Precision::fp32 : Precision::bf16);
  if (attention == Precision::int8) fail("attention runs at fp32 or bf16, not int8");
  gemm_type = gemm_type_for(precision, activations);
  threads = options.threads > 0 ? options.threads : physical_core_count();
  block_rows = padded_rows(std::max<int64_t>(options.block_rows, 16));
  C = config.hidden_size;
  I = config.intermediate_size;
  eps = static_cast<float>(config.layer_norm_eps);

  plan_qkv = std::make_unique<GemmPlan>(3 * C, C, gemm_type, block_rows, threads);
  plan_attention_output = std::make_unique<GemmPlan>(C, C, gemm_type, block_rows, threads);
  plan_ffn_in = std::make_unique<GemmPlan>(I, C, gemm_type, block_rows, threads);
  plan_ffn_out = std::make_unique<GemmPlan>(C, I, gemm_type, block_rows, threads);

  auto f = [&](const std::string& name) { return to_float32(tensors.at(name)); };
  for (int64_t l = 0; l < config.num_layers; ++l) {
    const std::string p = cat("bert.encoder.layer.", l, ".");
    LayerWeights layer;
    layer.qkv = build_linear(tensors, *plan_qkv,
                             {p + "attention.self.query.weight", p + "attention.self.key.weight",
                              p + "attention.self.value.weight"});
    layer.attention_output =
        build_linear(tensors, *plan_attention_output, {p + "attention.output.dense.weight"});
    layer.ffn_in = build_linear(tensors, *plan_ffn_in, {p + "intermediate.dense.weight"});
    layer.ffn_out = build_linear(tensors, *plan_ffn_out, {p + "output.dense.weight"});
    layer.norm1_weight = f(p + "attention.output.LayerNorm.weight");
    layer.norm1_bias = f(p + "attention.output.LayerNorm.bias");
    layer.norm2_weight = f(p + "output.LayerNorm.weight");
    layer.norm2_bias = f(p + "output.LayerNorm.bias");
    layers.push_back(std::move(layer));
  }

  const TensorView& word = tensors.at("bert.embeddings.word_embeddings.weight");
  word_type = word.dtype;
  const bool aligned = reinterpret_cast<uintptr_t>(word.bytes.data()) % dtype_size(word_type) == 0;
  if (aligned) {
    word_table = word.bytes.data();
    keep_alive = tensors.keep_alive;
  } else {  // copy what cannot be read in place
    auto copy = std::make_shared<std::vector<std::byte>>(word.bytes.begin(), word.bytes.end());
    word_table = copy->data();
    keep_alive.push_back(copy);
  }
  if (word_type == DType::I8) word_scale = f("bert.embeddings.word_embeddings.weight_scale");
  position = f("bert.embeddings.position_embeddings.weight");
  if (config.has_token_types()) token_type = f("bert.embeddings.token_type_embeddings.weight");
  embedding_norm_weight = f("bert.embeddings.LayerNorm.weight");
  embedding_norm_bias = f("bert.embeddings.LayerNorm.bias");
  head_dense_weight = f("bert.pooler.dense.weight");
  head_dense_bias = f("bert.pooler.dense.bias");
  classifier_weight = f("classifier.weight");
  classifier_bias = f("classifier.bias");

  scratch.resize(static_cast<size_t>(threads));
  const size_t in_floats = (static_cast<size_t>(block_rows) * act_bytes() + 3) / 4;
  for (ThreadScratch& ts : scratch) {
    ts.c_big = AlignedArray<float>(static_cast<size_t>(block_rows * std::max(3 * C, I)));
    ts.c_small = AlignedArray<float>(static_cast<size_t>(block_rows * C));
    ts.in_a = AlignedArray<float>(in_floats * static_cast<size_t>(C));
    if (gemm_type != GemmType::f32)
      ts.in_b = AlignedArray<float>(in_floats * static_cast<size_t>(I));
    ts.quant_a.resize(static_cast<size_t>(block_rows));
    ts.quant_b.resize(static_cast<size_t>(block_rows));
    ts.ranges.ranges.assign(static_cast<size_t>(config.num_layers), {});
    for (auto& layer : ts.ranges.ranges)
      for (auto& range : layer) range = {0.0f, 0.0f};
  }
  ensure_capacity(options.max_tokens, options.max_sequences,
                  std::min<int64_t>(options.max_tokens, config.max_position_embeddings));
}

void InferenceSession::Impl::ensure_capacity(int64_t tokens, int64_t sequences, int64_t length) {
  if (tokens > capacity_tokens) {
    capacity_tokens = tokens;
    const auto rows = static_cast<size_t>(tokens + 16);
    x = AlignedArray<float>(rows * static_cast<size_t>(C));
    for (AlignedArray<float>& buffer : qkv)
      buffer = AlignedArray<float>(rows * static_cast<size_t>(qkv_bf16() ? 3 * C / 2 + 1 : 3 * C));
    context = AlignedArray<float>(rows * static_cast<size_t>(C));
  }
  if (sequences > capacity_sequences) {
    capacity_sequences = sequences;
    const auto rows = static_cast<size_t>(sequences + 16);
    cls_context = AlignedArray<float>(rows * static_cast<size_t>(C));
    cls_hidden = AlignedArray<float>(rows * static_cast<size_t>(C));
    pooled = AlignedArray<float>(rows * static_cast<size_t>(C));
  }
  if (length > capacity_length) {
    capacity_length = length;
    const auto floats = static_cast<size_t>(attention_scratch_floats(geometry(), length) + 64);
    for (ThreadScratch& ts : scratch) ts.attention = AlignedArray<float>(floats);
  }
}

void InferenceSession::Impl::gemm(ThreadScratch& ts, int thread, const GemmPlan& plan,
                                  const void* a, const LinearWeights& w, void* c,
                                  int64_t rows) const {
  const auto start = std::chrono::steady_clock::now();
  plan.multiply(thread, a, w.packed, c, rows);
  ts.gemm_seconds += seconds_since(start);
  ts.gemm_ops += 2.0 * static_cast<double>(rows * plan.n() * plan.k());
}

GemmInput InferenceSession::Impl::input_a(ThreadScratch& ts, const LinearWeights& consumer) const {
  return {gemm_type, ts.in_a.data(), ts.quant_a.data(),
          consumer.fixed ? &*consumer.fixed : nullptr};
}

namespace {

GREENBERT_ISA_CLONES
void add_word_row(float* out, DType type, const std::byte* table, const float* scales, int64_t id,
                  int64_t C) {
  if (type == DType::I8) {
    const auto* q = reinterpret_cast<const int8_t*>(table) + id * C;
    const float s = scales[id];
    for (int64_t c = 0; c < C; ++c) out[c] = static_cast<float>(q[c]) * s;
  } else if (type == DType::BF16) {
    const auto* b = reinterpret_cast<const uint16_t*>(table) + id * C;
    for (int64_t c = 0; c < C; ++c) out[c] = from_bf16(b[c]);
  } else {
    std::memcpy(out, reinterpret_cast<const float*>(table) + id * C,
                static_cast<size_t>(C) * sizeof(float));
  }
}

}  // namespace

void InferenceSession::Impl::embed_rows(const TokenBatch& batch, int64_t first, int64_t rows) {
  for (int64_t t = first; t < first + rows; ++t) {
    float* row = x.data() + t * C;
    add_word_row(row, word_type, word_table, word_scale.data(), batch.input_ids[t], C);
    const float* pos = position.data() + static_cast<int64_t>(batch.position_ids[t]) * C;
    for (int64_t c = 0; c < C; ++c) row[c] += pos[c];
    if (config.has_token_types()) {
      const int64_t type = batch.token_type_ids.empty() ? 0 : batch.token_type_ids[t];
      const float* tt = token_type.data() + type * C;
      for (int64_t c = 0; c < C; ++c) row[c] += tt[c];
    }
    layernorm_row(row, row, embedding_norm_weight.data(), embedding_norm_bias.data(), C, eps);
  }
}

void InferenceSession::Impl::observe(ThreadScratch& ts, int64_t layer, LinearInput input,
                                     const float* rows, int64_t m, int64_t cols, int64_t ld) const {
  if (!record_ranges) return;
  auto& range = ts.ranges.ranges[static_cast<size_t>(layer)][static_cast<size_t>(input)];
  for (int64_t r = 0; r < m; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      range[0] = std::min(range[0], rows[r * ld + c]);
      range[1] = std::max(range[1], rows[r * ld + c]);
    }
  if (input == LinearInput::qkv) ts.ranges.tokens += m;
}

const void* InferenceSession::Impl::qkv_row(int64_t layer, int64_t row) const {
  const AlignedArray<float>& buffer = qkv[layer % 2];
  return qkv_bf16() ? static_cast<const void*>(reinterpret_cast<const uint16_t*>(buffer.data()) +
                                               row * 3 * C)
                    : static_cast<const void*>(buffer.data() + row * 3 * C);
}

void InferenceSession::Impl::qkv_rows(ThreadScratch& ts, int thread, int64_t layer, int64_t first,
                                      int64_t rows) {
  const LinearWeights& w = layers[static_cast<size_t>(layer)].qkv;
  // in_a holds the rows as this GEMM's input (stored by the producer).
  observe(ts, layer, LinearInput::qkv, static_cast<const float*>(ts.in_a.data()), rows, C, C);
  gemm(ts, thread, *plan_qkv, ts.in_a.data(), w, ts.c_big.data(), rows);
  epilogue_bias(const_cast<void*>(qkv_row(layer, first)), qkv_bf16(), 3 * C, ts.c_big.data(),
                gemm_type, w.dequantization(ts.quant_a.data()), w.bias.data(), rows, 3 * C);
}

void InferenceSession::Impl::attention_rows(ThreadScratch& ts, const TokenBatch& batch,
                                            int64_t layer, int64_t first, int64_t rows) {
  const AttentionShape g = geometry();
  // The sequence of row `first`: the last one starting at or before it.
  int64_t s = std::upper_bound(batch.seq_start.begin(), batch.seq_start.end(), first) -
              batch.seq_start.begin() - 1;
  for (int64_t row = first; row < first + rows; ++s) {
    const int64_t start = batch.seq_start[s], end = batch.seq_start[s + 1];
    const int64_t queries = std::min(end, first + rows) - row;
    for (int64_t h = 0; h < g.heads; ++h)
      attention_head(context.data() + row * C + h * g.head_dim, C, qkv_row(layer, start), attention,
                     g, h, end - start, row - start, queries, ts.attention.data());
    row += queries;
  }
}

void InferenceSession::Impl::post_attention_rows(ThreadScratch& ts, int thread, int64_t layer,
                                                 const float* ctx, float* hidden, int64_t rows,
                                                 bool feeds_next_layer) {
  const LayerWeights& L = layers[static_cast<size_t>(layer)];
  observe(ts, layer, LinearInput::attention_output, ctx, rows, C, C);
  const void* a = ctx;  // f32 reads the context directly (its padded rows are slack or done)
  if (gemm_type != GemmType::f32) {
    store_gemm_input(input_a(ts, L.attention_output), ctx, C, rows, C);
    a = ts.in_a.data();
  }
  gemm(ts, thread, *plan_attention_output, a, L.attention_output, ts.c_small.data(), rows);
  epilogue_residual_layernorm(hidden, input_a(ts, L.ffn_in), ts.c_small.data(), gemm_type,
                              L.attention_output.dequantization(ts.quant_a.data()),
                              L.attention_output.bias.data(), L.norm1_weight.data(),
                              L.norm1_bias.data(), eps, rows, C);

  observe(ts, layer, LinearInput::ffn_in, static_cast<const float*>(ts.in_a.data()), rows, C, C);
  gemm(ts, thread, *plan_ffn_in, ts.in_a.data(), L.ffn_in, ts.c_big.data(), rows);
  // f32: GELU in place, and the FFN out GEMM reads c_big.
  const bool f32 = gemm_type == GemmType::f32;
  const GemmInput intermediate{gemm_type, f32 ? ts.c_big.data() : ts.in_b.data(), ts.quant_b.data(),
                               L.ffn_out.fixed ? &*L.ffn_out.fixed : nullptr};
  epilogue_bias_gelu(intermediate, ts.c_big.data(), gemm_type,
                     L.ffn_in.dequantization(ts.quant_a.data()), L.ffn_in.bias.data(), rows, I);

  observe(ts, layer, LinearInput::ffn_out, ts.c_big.data(), rows, I, I);
  gemm(ts, thread, *plan_ffn_out, intermediate.data, L.ffn_out, ts.c_small.data(), rows);
  GemmInput next{};  // data nullptr: nothing consumes the last layer's output as a GEMM input
  if (feeds_next_layer) next = input_a(ts, layers[static_cast<size_t>(layer) + 1].qkv);
  epilogue_residual_layernorm(hidden, next, ts.c_small.data(), gemm_type,
                              L.ffn_out.dequantization(ts.quant_b.data()), L.ffn_out.bias.data(),
                              L.norm2_weight.data(), L.norm2_bias.data(), eps, rows, C);
}

void InferenceSession::Impl::head_rows(int64_t first, int64_t rows, float* logits) {
  const int64_t labels = config.num_labels();
  const bool bert = config.model_type == ModelType::bert;
  for (int64_t s = first; s < first + rows; ++s) {
    const float* hidden = cls_hidden.data() + s * C;
    float* p = pooled.data() + s * C;
    for (int64_t o = 0; o < C; ++o) {
      const float v = vec::dot(hidden, head_dense_weight.data() + o * C, C) + head_dense_bias[o];
      p[o] = bert ? std::tanh(v) : std::max(v, 0.0f);
    }
    for (int64_t label = 0; label < labels; ++label)
      logits[s * labels + label] =
          vec::dot(p, classifier_weight.data() + label * C, C) + classifier_bias[label];
  }
}

namespace {

// [begin, end) of `n` items for thread t of `threads`.
std::pair<int64_t, int64_t> share(int64_t n, int t, int threads) {
  return {n * t / threads, n * (t + 1) / threads};
}

// Calls body(first, rows) over [begin, end) in equal blocks of at most max_rows.
template <typename Body>
void for_blocks(int64_t begin, int64_t end, int64_t max_rows, Body&& body) {
  const int64_t n = end - begin;
  if (n <= 0) return;
  const int64_t blocks = (n + max_rows - 1) / max_rows;
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t first = begin + n * b / blocks, last = begin + n * (b + 1) / blocks;
    body(first, last - first);
  }
}

}  // namespace

void InferenceSession::Impl::forward(const TokenBatch& batch, float* logits) {
  validate(batch, config);
  const int64_t T = batch.tokens(), B = batch.sequences();
  ensure_capacity(T, B, batch.max_length());
  const int64_t layer_count = config.num_layers;
  // The last layer only needs the [CLS] rows after attention (not when calibrating: the ranges
  // must see every token).
  const bool cls_only = !record_ranges;
  const AttentionShape g = geometry();

#pragma omp parallel num_threads(threads)
  {
    // oneDNN runs each GEMM on the calling thread (also in a team of one, which OpenMP does not
    // count as a parallel region), and primitives created here plan for one thread.
    omp_set_num_threads(1);
    const int thread = omp_get_thread_num(), team = omp_get_num_threads();
    ThreadScratch& ts = scratch[static_cast<size_t>(thread)];
    const std::pair<int64_t, int64_t> mine = share(T, thread, team);
    const int64_t r0 = mine.first, r1 = mine.second;
    for_blocks(r0, r1, block_rows, [&](int64_t first, int64_t rows) {
      embed_rows(batch, first, rows);
      store_gemm_input(input_a(ts, layers[0].qkv), x.data() + first * C, C, rows, C);
      qkv_rows(ts, thread, 0, first, rows);
    });
    // One barrier per layer: attention reads the keys and values of every row of a sequence.
    // Each thread then computes the queries of its own rows, so that the rest of the layer
    // (and the next layer's Q, K, V, into the other buffer) needs no other thread's output.
#pragma omp barrier
    const int64_t full_layers = cls_only ? layer_count - 1 : layer_count;
    for (int64_t l = 0; l < full_layers; ++l) {
      const bool feeds_next_layer = l + 1 < layer_count;
      // All of the thread's queries first: keys and values are packed once per sequence and head.
      attention_rows(ts, batch, l, r0, r1 - r0);
      for_blocks(r0, r1, block_rows, [&](int64_t first, int64_t rows) {
        post_attention_rows(ts, thread, l, context.data() + first * C, x.data() + first * C, rows,
                            feeds_next_layer);
        if (feeds_next_layer) qkv_rows(ts, thread, l + 1, first, rows);
      });
      if (feeds_next_layer || !cls_only) {
#pragma omp barrier
      }
    }
    // The head reads each sequence's [CLS] row: a thread handles whole sequences, and computes
    // the last layer for their [CLS] rows only (or, recording ranges, reads them from x).
    const int64_t last = layer_count - 1;
    const std::pair<int64_t, int64_t> sequences = share(B, thread, team);
    for_blocks(sequences.first, sequences.second, block_rows, [&](int64_t first, int64_t rows) {
      for (int64_t s = first; s < first + rows; ++s) {
        const int64_t start = batch.seq_start[s];
        std::memcpy(cls_hidden.data() + s * C, x.data() + start * C,
                    static_cast<size_t>(C) * sizeof(float));
        if (cls_only)
          for (int64_t h = 0; h < g.heads; ++h)
            attention_head(cls_context.data() + s * C + h * g.head_dim, C, qkv_row(last, start),
                           attention, g, h, batch.length(s), 0, 1, ts.attention.data());
      }
      if (cls_only)
        post_attention_rows(ts, thread, last, cls_context.data() + first * C,
                            cls_hidden.data() + first * C, rows, false);
      head_rows(first, rows, logits);
    });
  }
}

InferenceSession::InferenceSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
InferenceSession::InferenceSession(InferenceSession&&) noexcept = default;
InferenceSession& InferenceSession::operator=(InferenceSession&&) noexcept = default;
InferenceSession::~InferenceSession() = default;

namespace {

InferenceSession session_from_parameters(const BertConfig& config,
                                         std::shared_ptr<const ParameterBuffer> params,
                                         const SessionOptions& options) {
  const Precision precision = options.precision.value_or(Precision::fp32);
  const ModelTensors tensors =
      quantize_parameters(config, std::move(params), precision, options.activations);
  return InferenceSession::from_tensors(config, tensors, options);
}

}  // namespace

InferenceSession InferenceSession::from_tensors(const BertConfig& config,
                                                const ModelTensors& tensors,
                                                const SessionOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->record_ranges = options.record_activation_ranges;
  if (impl->record_ranges && tensors.precision != Precision::fp32)
    fail("activation ranges are recorded by fp32 sessions only");
  impl->build(tensors, options);
  return InferenceSession(std::move(impl));
}

InferenceSession InferenceSession::from_parameters(const BertConfig& config,
                                                   const ParameterBuffer& params,
                                                   const SessionOptions& options) {
  return session_from_parameters(config, std::make_shared<const ParameterBuffer>(params), options);
}

InferenceSession InferenceSession::open(const ModelDirectory& model,
                                        const SessionOptions& options) {
  if (model.kind != ModelKind::encoder)
    fail(model.path.string(), ": a ", model_kind_name(model.kind),
         " model has no encoder to run (open_classifier runs it)");
  const ModelWeights& weights = model.require_weights();
  const Precision declared = weights.precision();
  const Precision wanted = options.precision.value_or(declared);
  // Weights at the wanted precision already, in greenbert's own file: packed straight from its
  // mapping. Anything else (HF checkpoints, an fp32 model run at int8/bf16) goes through
  // load_model and quantize_parameters, exactly as `greenbert quantize` would.
  if (weights.header.greenbert && wanted == declared)
    return from_tensors(model.config, weights.tensors, options);
  if (declared != Precision::fp32)
    fail(weights.path.string(), ": a ", precision_name(declared), " model cannot run at ",
         precision_name(wanted), "; quantize the fp32 model for that precision");
  ClassifierModel fp32 = load_model(model);
  SessionOptions at = options;
  at.precision = wanted;
  return session_from_parameters(
      fp32.config, std::make_shared<const ParameterBuffer>(std::move(fp32.params)), at);
}

const BertConfig& InferenceSession::config() const {
  return impl_->config;
}
Precision InferenceSession::precision() const {
  return impl_->precision;
}
ActivationType InferenceSession::activations() const {
  return impl_->activations;
}
bool InferenceSession::static_activations() const {
  return impl_->static_activations;
}
Precision InferenceSession::attention() const {
  return impl_->attention;
}
int InferenceSession::threads() const {
  return impl_->threads;
}
std::string InferenceSession::gemm_implementation() const {
  return impl_->plan_ffn_in->implementation();
}

void InferenceSession::run(const TokenBatch& batch, std::span<float> logits) {
  const int64_t expected = batch.sequences() * impl_->config.num_labels();
  if (static_cast<int64_t>(logits.size()) != expected)
    fail("logits must hold batch × labels = ", batch.sequences(), " × ", impl_->config.num_labels(),
         " values, got ", logits.size());
  impl_->forward(batch, logits.data());
  ++impl_->batches;
  impl_->sequences += batch.sequences();
  impl_->tokens += batch.tokens();
}

std::vector<float> InferenceSession::run(const TokenBatch& batch) {
  std::vector<float> logits(static_cast<size_t>(batch.sequences() * impl_->config.num_labels()));
  run(batch, logits);
  return logits;
}

SessionStats InferenceSession::stats() const {
  SessionStats s;
  for (const ThreadScratch& ts : impl_->scratch) {
    s.gemm_ops += ts.gemm_ops;
    s.gemm_seconds += ts.gemm_seconds;
  }
  s.gemm_seconds /= static_cast<double>(impl_->scratch.size());
  s.batches = impl_->batches;
  s.sequences = impl_->sequences;
  s.tokens = impl_->tokens;
  return s;
}

void InferenceSession::reset_stats() {
  for (ThreadScratch& ts : impl_->scratch) ts.gemm_ops = ts.gemm_seconds = 0;
  impl_->batches = impl_->sequences = impl_->tokens = 0;
}

ActivationRanges InferenceSession::activation_ranges() const {
  if (!impl_->record_ranges) fail("the session was not opened to record activation ranges");
  ActivationRanges merged = impl_->scratch.front().ranges;
  merged.tokens = 0;
  for (const ThreadScratch& ts : impl_->scratch) {
    merged.tokens += ts.ranges.tokens;
    for (size_t l = 0; l < merged.ranges.size(); ++l)
      for (size_t i = 0; i < merged.ranges[l].size(); ++i) {
        merged.ranges[l][i][0] = std::min(merged.ranges[l][i][0], ts.ranges.ranges[l][i][0]);
        merged.ranges[l][i][1] = std::max(merged.ranges[l][i][1], ts.ranges.ranges[l][i][1]);
      }
  }
  return merged;
}

}  // namespace greenbert
