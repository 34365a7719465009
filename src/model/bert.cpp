#include "model/bert.h"

#include <cstring>

#include "core/error.h"
#include "kernels/attention.h"
#include "kernels/dropout.h"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/gemm.h"
#include "kernels/layernorm.h"
#include "kernels/reduce.h"

namespace greenbert {

uint64_t dropout_stream_embeddings() {
  return 0;
}
uint64_t dropout_stream_attention_probs(int64_t layer) {
  return 8 * static_cast<uint64_t>(layer) + 8;
}
uint64_t dropout_stream_attention_output(int64_t layer) {
  return 8 * static_cast<uint64_t>(layer) + 9;
}
uint64_t dropout_stream_ffn_output(int64_t layer) {
  return 8 * static_cast<uint64_t>(layer) + 10;
}
uint64_t dropout_stream_head() {
  return 1ull << 40;
}

namespace {

// Dimensions of one pass, and the dropout masks it uses (all "keep" when not training).
struct Pass {
  int64_t T, B, C, I;
  AttentionShape attention;
  Precision precision;
  float eps;
  float p_hidden, p_attention, p_head;
  uint64_t seed;

  Pass(const BertConfig& config, const TokenBatch& batch, const ForwardOptions& options)
      : T(batch.tokens()),
        B(batch.sequences()),
        C(config.hidden_size),
        I(config.intermediate_size),
        attention{config.num_heads, config.head_dim()},
        precision(options.precision),
        eps(static_cast<float>(config.layer_norm_eps)),
        p_hidden(options.training ? static_cast<float>(config.hidden_dropout) : 0.0f),
        p_attention(options.training ? static_cast<float>(config.attention_dropout) : 0.0f),
        p_head(options.training ? static_cast<float>(config.head_dropout()) : 0.0f),
        seed(options.dropout_seed),
        shard(options.shard) {}

  // Masks over (T, C) activations, over attention probabilities, and over the head's (B, C).
  DropoutMask token_mask(uint64_t stream) const { return mask(stream, p_hidden, shard.tokens * C); }
  DropoutMask attention_mask(uint64_t stream) const {
    return mask(stream, p_attention, shard.attention_probs);
  }
  DropoutMask head_mask() const { return mask(dropout_stream_head(), p_head, shard.sequences * C); }

 private:
  DropoutMask mask(uint64_t stream, float p, int64_t first) const {
    DropoutMask m(seed, stream, p);
    m.first = static_cast<uint64_t>(first);
    return m;
  }
  DropoutOffsets shard;
};

void check_matches_forward(const TokenBatch& batch, const Activations& acts) {
  if (batch.tokens() != acts.tokens || batch.sequences() != acts.sequences)
    fail("the batch (", batch.sequences(), " sequences, ", batch.tokens(),
         " tokens) is not the one of the last forward (", acts.sequences, ", ", acts.tokens, ")");
}

const float* x_of_layer(const Activations& acts, size_t l) {
  return l == 0 ? acts.embedding_out : acts.layers[l - 1].out;
}

void check_same_layout(const ParameterBuffer& params, const ParameterBuffer* grads,
                       const BertConfig& config) {
  const ParameterLayout& layout = params.layout();
  if (static_cast<int64_t>(layout.layers.size()) != config.num_layers ||
      layout.at("classifier.bias").size != config.num_labels())
    fail("parameters were built for another model config");
  if (grads != nullptr && grads->size() != params.size())
    fail("gradients were built for another parameter layout");
}

}  // namespace

void encoder_forward(const BertConfig& config, const ParameterBuffer& params,
                     const TokenBatch& batch, const ForwardOptions& options, Activations& acts) {
  check_same_layout(params, nullptr, config);
  validate(batch, config);
  const Pass p(config, batch, options);
  const int32_t* seq_start = batch.seq_start.data();
  acts.check_fits(p.T, p.B, batch.max_length(),
                  attention_probs_size(seq_start, p.B, p.attention.heads));
  acts.tokens = p.T;
  acts.sequences = p.B;
  acts.options = options;

  const ParameterLayout& layout = params.layout();
  const EmbeddingOffsets& e = layout.embeddings;
  embedding_forward(acts.embedding_sum, params.at(e.word), batch.input_ids.data(), p.T, p.C, false);
  embedding_forward(acts.embedding_sum, params.at(e.position), batch.position_ids.data(), p.T, p.C,
                    true);
  if (config.has_token_types()) {
    if (batch.token_type_ids.empty()) {  // all type 0
      const float* row = params.at(e.token_type);
      for (int64_t t = 0; t < p.T; ++t)
        for (int64_t c = 0; c < p.C; ++c) acts.embedding_sum[t * p.C + c] += row[c];
    } else {
      embedding_forward(acts.embedding_sum, params.at(e.token_type), batch.token_type_ids.data(),
                        p.T, p.C, true);
    }
  }
  layernorm_forward(acts.embedding_out, acts.embedding_mean, acts.embedding_rstd,
                    acts.embedding_sum, params.at(e.norm.weight), params.at(e.norm.bias), p.T, p.C,
                    p.eps);
  dropout_apply(acts.embedding_out, acts.embedding_out, p.T * p.C,
                p.token_mask(dropout_stream_embeddings()));

  for (size_t l = 0; l < acts.layers.size(); ++l) {
    const LayerOffsets& w = layout.layers[l];
    LayerActivations& a = acts.layers[l];
    const float* x = x_of_layer(acts, l);
    const int64_t li = static_cast<int64_t>(l);

    linear_forward(a.qkv, x, params.at(w.qkv.weight), params.at(w.qkv.bias), p.T, p.C, 3 * p.C,
                   p.precision);
    attention_forward(a.context, a.probs, acts.attention_workspace, a.qkv, seq_start, p.B,
                      p.attention, p.attention_mask(dropout_stream_attention_probs(li)),
                      acts.limits().max_length);
    linear_forward(a.attention_sum, a.context, params.at(w.attention_output.weight),
                   params.at(w.attention_output.bias), p.T, p.C, p.C, p.precision);
    if (config.dropout_after_attention())
      dropout_apply(a.attention_sum, a.attention_sum, p.T * p.C,
                    p.token_mask(dropout_stream_attention_output(li)));
    add(a.attention_sum, a.attention_sum, x, p.T * p.C);
    layernorm_forward(a.attention_out, a.attention_mean, a.attention_rstd, a.attention_sum,
                      params.at(w.attention_norm.weight), params.at(w.attention_norm.bias), p.T,
                      p.C, p.eps);

    linear_forward(a.ffn_pre, a.attention_out, params.at(w.ffn_in.weight), params.at(w.ffn_in.bias),
                   p.T, p.C, p.I, p.precision);
    gelu_forward(acts.ffn_act, a.ffn_pre, p.T * p.I);
    linear_forward(a.ffn_sum, acts.ffn_act, params.at(w.ffn_out.weight), params.at(w.ffn_out.bias),
                   p.T, p.I, p.C, p.precision);
    dropout_apply(a.ffn_sum, a.ffn_sum, p.T * p.C, p.token_mask(dropout_stream_ffn_output(li)));
    add(a.ffn_sum, a.ffn_sum, a.attention_out, p.T * p.C);
    layernorm_forward(a.out, a.ffn_mean, a.ffn_rstd, a.ffn_sum, params.at(w.ffn_norm.weight),
                      params.at(w.ffn_norm.bias), p.T, p.C, p.eps);
  }
}

void classifier_forward(const BertConfig& config, const ParameterBuffer& params,
                        const TokenBatch& batch, Activations& acts, std::span<float> logits) {
  check_matches_forward(batch, acts);
  const Pass p(config, batch, acts.options);
  const int64_t labels = config.num_labels();
  if (static_cast<int64_t>(logits.size()) != p.B * labels)
    fail("logits must hold batch × labels = ", p.B, " × ", labels, " values, got ", logits.size());
  const HeadOffsets& h = params.layout().head;
  const float* hidden = acts.last_hidden_state().data();
  for (int64_t s = 0; s < p.B; ++s)
    std::memcpy(acts.cls + s * p.C, hidden + batch.seq_start[s] * p.C,
                static_cast<size_t>(p.C) * sizeof(float));
  linear_forward(acts.head_out, acts.cls, params.at(h.dense.weight), params.at(h.dense.bias), p.B,
                 p.C, p.C, p.precision);
  if (config.model_type == ModelType::bert)
    tanh_forward(acts.head_out, acts.head_out, p.B * p.C);
  else
    relu_forward(acts.head_out, acts.head_out, p.B * p.C);
  dropout_apply(acts.head_dropped, acts.head_out, p.B * p.C, p.head_mask());
  linear_forward(logits.data(), acts.head_dropped, params.at(h.classifier.weight),
                 params.at(h.classifier.bias), p.B, p.C, labels, p.precision);
}

void forward(const BertConfig& config, const ParameterBuffer& params, const TokenBatch& batch,
             const ForwardOptions& options, Activations& acts, std::span<float> logits) {
  encoder_forward(config, params, batch, options, acts);
  classifier_forward(config, params, batch, acts, logits);
}

namespace {

// dW += dyᵀ·x and db += Σ dy for a Linear layer with input x (rows, in), output grad dy (rows,
// out).
void linear_backward_params(ParameterBuffer& grads, const LinearOffsets& o, const float* dy,
                            const float* x, int64_t rows, int64_t in, int64_t out,
                            Precision precision) {
  linear_backward_weight(grads.at(o.weight), dy, x, rows, in, out, precision);
  bias_backward(grads.at(o.bias), dy, rows, out);
}

}  // namespace

void classifier_backward(const BertConfig& config, const ParameterBuffer& params,
                         const TokenBatch& batch, Activations& acts, std::span<const float> dlogits,
                         ParameterBuffer& grads) {
  check_same_layout(params, &grads, config);
  check_matches_forward(batch, acts);
  const Pass p(config, batch, acts.options);
  const int64_t labels = config.num_labels();
  if (static_cast<int64_t>(dlogits.size()) != p.B * labels)
    fail("dlogits must hold batch × labels = ", p.B, " × ", labels, " values, got ",
         dlogits.size());
  const HeadOffsets& h = params.layout().head;

  linear_backward_params(grads, h.classifier, dlogits.data(), acts.head_dropped, p.B, p.C, labels,
                         p.precision);
  linear_backward_input(acts.d_head, dlogits.data(), params.at(h.classifier.weight), p.B, p.C,
                        labels, false, p.precision);
  dropout_apply(acts.d_head, acts.d_head, p.B * p.C, p.head_mask());
  if (config.model_type == ModelType::bert)
    tanh_backward(acts.d_head, acts.d_head, acts.head_out, p.B * p.C);
  else
    relu_backward(acts.d_head, acts.d_head, acts.head_out, p.B * p.C);
  linear_backward_params(grads, h.dense, acts.d_head, acts.cls, p.B, p.C, p.C, p.precision);
  linear_backward_input(acts.d_cls, acts.d_head, params.at(h.dense.weight), p.B, p.C, p.C, false,
                        p.precision);

  std::memset(acts.d_hidden, 0, static_cast<size_t>(p.T * p.C) * sizeof(float));
  for (int64_t s = 0; s < p.B; ++s)
    std::memcpy(acts.d_hidden + batch.seq_start[s] * p.C, acts.d_cls + s * p.C,
                static_cast<size_t>(p.C) * sizeof(float));
}

void encoder_backward(const BertConfig& config, const ParameterBuffer& params,
                      const TokenBatch& batch, Activations& acts, ParameterBuffer& grads) {
  check_same_layout(params, &grads, config);
  check_matches_forward(batch, acts);
  const Pass p(config, batch, acts.options);
  const ParameterLayout& layout = params.layout();
  const int32_t* seq_start = batch.seq_start.data();
  float* dh = acts.d_hidden;  // gradient w.r.t. the current layer's output, then its input

  for (size_t l = acts.layers.size(); l-- > 0;) {
    const LayerOffsets& w = layout.layers[l];
    const LayerActivations& a = acts.layers[l];
    const float* x = x_of_layer(acts, l);
    const int64_t li = static_cast<int64_t>(l);

    // out = LN(ffn_sum), ffn_sum = dropout(gelu(ffn_pre)·W2ᵀ + b2) + attention_out
    layernorm_backward(dh, grads.at(w.ffn_norm.weight), grads.at(w.ffn_norm.bias), dh, a.ffn_sum,
                       a.ffn_mean, a.ffn_rstd, params.at(w.ffn_norm.weight), p.T, p.C);
    dropout_apply(acts.d_branch, dh, p.T * p.C, p.token_mask(dropout_stream_ffn_output(li)));
    gelu_forward(acts.ffn_act, a.ffn_pre, p.T * p.I);  // recomputed: cheaper than storing
    linear_backward_params(grads, w.ffn_out, acts.d_branch, acts.ffn_act, p.T, p.I, p.C,
                           p.precision);
    linear_backward_input(acts.ffn_act, acts.d_branch, params.at(w.ffn_out.weight), p.T, p.I, p.C,
                          false, p.precision);
    gelu_backward(acts.ffn_act, acts.ffn_act, a.ffn_pre, p.T * p.I);
    linear_backward_params(grads, w.ffn_in, acts.ffn_act, a.attention_out, p.T, p.C, p.I,
                           p.precision);
    // dh already holds the residual path's gradient w.r.t. attention_out.
    linear_backward_input(dh, acts.ffn_act, params.at(w.ffn_in.weight), p.T, p.C, p.I, true,
                          p.precision);

    // attention_out = LN(attention_sum), attention_sum = [dropout](context·Woᵀ + bo) + x
    layernorm_backward(dh, grads.at(w.attention_norm.weight), grads.at(w.attention_norm.bias), dh,
                       a.attention_sum, a.attention_mean, a.attention_rstd,
                       params.at(w.attention_norm.weight), p.T, p.C);
    const float* d_dense = dh;
    if (config.dropout_after_attention()) {
      dropout_apply(acts.d_branch, dh, p.T * p.C,
                    p.token_mask(dropout_stream_attention_output(li)));
      d_dense = acts.d_branch;
    }
    linear_backward_params(grads, w.attention_output, d_dense, a.context, p.T, p.C, p.C,
                           p.precision);
    linear_backward_input(acts.d_context, d_dense, params.at(w.attention_output.weight), p.T, p.C,
                          p.C, false, p.precision);
    attention_backward(acts.d_qkv, acts.attention_workspace, acts.d_context, a.qkv, a.probs,
                       seq_start, p.B, p.attention,
                       p.attention_mask(dropout_stream_attention_probs(li)),
                       acts.limits().max_length);
    linear_backward_params(grads, w.qkv, acts.d_qkv, x, p.T, p.C, 3 * p.C, p.precision);
    // dh holds the residual path's gradient w.r.t. x; add the QKV path's.
    linear_backward_input(dh, acts.d_qkv, params.at(w.qkv.weight), p.T, p.C, 3 * p.C, true,
                          p.precision);
  }

  const EmbeddingOffsets& e = layout.embeddings;
  dropout_apply(dh, dh, p.T * p.C, p.token_mask(dropout_stream_embeddings()));
  layernorm_backward(dh, grads.at(e.norm.weight), grads.at(e.norm.bias), dh, acts.embedding_sum,
                     acts.embedding_mean, acts.embedding_rstd, params.at(e.norm.weight), p.T, p.C);
  embedding_backward(grads.at(e.word), dh, batch.input_ids.data(), p.T, p.C, config.pad_token_id);
  embedding_backward(grads.at(e.position), dh, batch.position_ids.data(), p.T, p.C, -1);
  if (config.has_token_types()) {
    if (batch.token_type_ids.empty())
      bias_backward(grads.at(e.token_type), dh, p.T, p.C);
    else
      embedding_backward(grads.at(e.token_type), dh, batch.token_type_ids.data(), p.T, p.C, -1);
  }
}

void backward(const BertConfig& config, const ParameterBuffer& params, const TokenBatch& batch,
              Activations& acts, std::span<const float> dlogits, ParameterBuffer& grads) {
  classifier_backward(config, params, batch, acts, dlogits, grads);
  encoder_backward(config, params, batch, acts, grads);
}

}  // namespace greenbert
