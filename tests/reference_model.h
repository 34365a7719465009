#pragma once
// A slow, independent double-precision transcription of HF's BertForSequenceClassification /
// DistilBertForSequenceClassification forward pass on a PADDED batch with an additive attention
// mask (no packing, no kernels, no GEMM library): the ground truth the packed float model must
// match, and the function finite differences differentiate. Parameters are read by HF name.
//
// Dropout, when enabled, uses the model's counter-based masks with the model's indexing
// (packed token order), so the reference is a deterministic function of the parameters.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dropout.h"
#include "model/bert.h"
#include "model/config.h"
#include "model/parameters.h"

namespace greenbert::testing {

struct PaddedBatch {
  int64_t batch = 0, seq_len = 0;
  std::vector<int32_t> input_ids, attention_mask, token_type_ids;  // (batch, seq_len)
};

class ReferenceModel {
 public:
  // values: the whole parameter buffer in double, laid out as `layout`.
  ReferenceModel(const BertConfig& config, const ParameterLayout& layout,
                 const std::vector<double>& values)
      : c_(config), layout_(layout), v_(values) {}

  struct Output {
    std::vector<double> hidden;  // (batch, seq_len, C), meaningful where the mask is 1
    std::vector<double> pooled;  // (batch, C)
    std::vector<double> logits;  // (batch, labels)
  };

  Output forward(const PaddedBatch& in, bool training, uint64_t seed) const {
    const int64_t B = in.batch, S = in.seq_len, C = c_.hidden_size, I = c_.intermediate_size,
                  H = c_.num_heads, D = C / H;
    const bool dropout = training;
    auto p_hidden = float(dropout ? c_.hidden_dropout : 0.0);
    auto p_attention = float(dropout ? c_.attention_dropout : 0.0);
    auto p_head = float(dropout ? c_.head_dropout() : 0.0);

    // Packed index of each kept token, and each sequence's offset into the probs buffer: the
    // counters the model's dropout masks are drawn with.
    std::vector<int64_t> packed(B * S, -1), length(B, 0), probs_offset(B, 0);
    int64_t t = 0, offset = 0;
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t j = 0; j < S; ++j)
        if (in.attention_mask[b * S + j]) packed[b * S + j] = t++, ++length[b];
      probs_offset[b] = offset;
      offset += H * length[b] * length[b];
    }
    auto hidden_dropout = [&](std::vector<double>& x, uint64_t stream) {
      DropoutMask mask(seed, stream, p_hidden);
      for (int64_t r = 0; r < B * S; ++r)
        if (packed[r] >= 0)
          for (int64_t k = 0; k < C; ++k) x[r * C + k] *= mask.factor(uint64_t(packed[r] * C + k));
    };

    // Embeddings
    std::vector<double> x(B * S * C);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < S; ++j)
        for (int64_t k = 0; k < C; ++k) {
          double e = w("bert.embeddings.word_embeddings.weight", in.input_ids[b * S + j] * C + k) +
                     w("bert.embeddings.position_embeddings.weight", j * C + k);
          if (c_.has_token_types())
            e += w("bert.embeddings.token_type_embeddings.weight",
                   (in.token_type_ids.empty() ? 0 : in.token_type_ids[b * S + j]) * C + k);
          x[(b * S + j) * C + k] = e;
        }
    x = layernorm(x, "bert.embeddings.LayerNorm");
    hidden_dropout(x, dropout_stream_embeddings());

    for (int64_t l = 0; l < c_.num_layers; ++l) {
      const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
      auto q = linear(x, p + "attention.self.query", C, C);
      auto k = linear(x, p + "attention.self.key", C, C);
      auto v = linear(x, p + "attention.self.value", C, C);
      std::vector<double> ctx(B * S * C, 0.0);
      DropoutMask probs_mask(seed, dropout_stream_attention_probs(l), p_attention);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t i = 0; i < S; ++i) {
            std::vector<double> s(S);
            double m = -1e300, sum = 0;
            for (int64_t j = 0; j < S; ++j) {
              double d = 0;
              for (int64_t e = 0; e < D; ++e)
                d += q[(b * S + i) * C + h * D + e] * k[(b * S + j) * C + h * D + e];
              // HF: scores / sqrt(D) + (1 - mask) · finfo(float32).min
              s[j] = d / std::sqrt(double(D)) +
                     (in.attention_mask[b * S + j] ? 0.0 : -3.4028234663852886e38);
              m = std::max(m, s[j]);
            }
            for (int64_t j = 0; j < S; ++j) sum += (s[j] = std::exp(s[j] - m));
            const int64_t L = length[b];
            const int64_t pi =
                packed[b * S + i] - (packed[b * S + i] >= 0 ? first(packed, b, S) : 0);
            for (int64_t j = 0; j < S; ++j) {
              double prob = s[j] / sum;
              if (packed[b * S + i] >= 0 && packed[b * S + j] >= 0) {
                const int64_t pj = packed[b * S + j] - first(packed, b, S);
                prob *= probs_mask.factor(uint64_t(probs_offset[b] + h * L * L + pi * L + pj));
              }
              for (int64_t e = 0; e < D; ++e)
                ctx[(b * S + i) * C + h * D + e] += prob * v[(b * S + j) * C + h * D + e];
            }
          }
      auto a = linear(ctx, p + "attention.output.dense", C, C);
      if (c_.dropout_after_attention()) hidden_dropout(a, dropout_stream_attention_output(l));
      for (size_t r = 0; r < a.size(); ++r) a[r] += x[r];
      a = layernorm(a, p + "attention.output.LayerNorm");
      auto f = linear(a, p + "intermediate.dense", I, C);
      for (double& y : f) y = 0.5 * y * (1 + std::erf(y / std::sqrt(2.0)));
      auto o = linear(f, p + "output.dense", C, I);
      hidden_dropout(o, dropout_stream_ffn_output(l));
      for (size_t r = 0; r < o.size(); ++r) o[r] += a[r];
      x = layernorm(o, p + "output.LayerNorm");
    }

    Output out;
    out.hidden = x;
    std::vector<double> cls(B * C);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t k = 0; k < C; ++k) cls[b * C + k] = x[(b * S) * C + k];
    out.pooled = linear(cls, "bert.pooler.dense", C, C);
    for (double& y : out.pooled)
      y = c_.model_type == ModelType::bert ? std::tanh(y) : std::max(y, 0.0);
    std::vector<double> dropped = out.pooled;
    DropoutMask head_mask(seed, dropout_stream_head(), p_head);
    for (size_t r = 0; r < dropped.size(); ++r) dropped[r] *= head_mask.factor(r);
    out.logits = linear(dropped, "classifier", c_.num_labels(), C);
    return out;
  }

  // HF's BertLMPredictionHead + cross-entropy, mean over the masked rows (indices into the
  // padded (batch · seq_len) rows of `hidden`).
  double masked_lm_loss(const std::vector<double>& hidden, const std::vector<int64_t>& rows,
                        const std::vector<int32_t>& labels) const {
    const int64_t C = c_.hidden_size, V = c_.vocab_size;
    std::vector<double> h;
    for (int64_t r : rows) h.insert(h.end(), hidden.begin() + r * C, hidden.begin() + (r + 1) * C);
    h = linear(h, "cls.predictions.transform.dense", C, C);
    for (double& y : h) y = 0.5 * y * (1 + std::erf(y / std::sqrt(2.0)));
    h = layernorm(h, "cls.predictions.transform.LayerNorm");
    const int64_t word = layout_.at("bert.embeddings.word_embeddings.weight").offset;
    const int64_t bias = layout_.at("cls.predictions.bias").offset;
    double total = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      std::vector<double> logits(V);
      double m = -1e300, s = 0;
      for (int64_t v = 0; v < V; ++v) {
        double d = v_[bias + v];
        for (int64_t k = 0; k < C; ++k) d += h[i * C + k] * v_[word + v * C + k];
        logits[v] = d;
        m = std::max(m, d);
      }
      for (double x : logits) s += std::exp(x - m);
      total += std::log(s) + m - logits[labels[i]];
    }
    return total / double(rows.size());
  }

  // HF's ElectraDiscriminatorPredictions + BCE, mean over `rows` (indices into the padded
  // rows of `hidden`), `replaced` one 0/1 target per row.
  double replaced_token_loss(const std::vector<double>& hidden, const std::vector<int64_t>& rows,
                             const std::vector<float>& replaced) const {
    const int64_t C = c_.hidden_size;
    std::vector<double> h;
    for (int64_t r : rows) h.insert(h.end(), hidden.begin() + r * C, hidden.begin() + (r + 1) * C);
    h = linear(h, "discriminator_predictions.dense", C, C);
    for (double& y : h) y = 0.5 * y * (1 + std::erf(y / std::sqrt(2.0)));
    return bce(linear(h, "discriminator_predictions.dense_prediction", 1, C), replaced);
  }

  // Mean BCE-with-logits over batch × labels.
  static double bce(const std::vector<double>& logits, const std::vector<float>& targets) {
    double s = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
      double x = logits[i], y = targets[i];
      double log_p = x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x));
      s += -(y * log_p + (1 - y) * (log_p - x));
    }
    return s / double(logits.size());
  }

 private:
  static int64_t first(const std::vector<int64_t>& packed, int64_t b, int64_t S) {
    for (int64_t j = 0; j < S; ++j)
      if (packed[b * S + j] >= 0) return packed[b * S + j];
    return 0;
  }
  double w(const std::string& name, int64_t i) const { return v_[layout_.at(name).offset + i]; }

  // y (rows, out) = x (rows, in) · Wᵀ + b
  std::vector<double> linear(const std::vector<double>& x, const std::string& prefix, int64_t out,
                             int64_t in) const {
    const int64_t rows = int64_t(x.size()) / in;
    const int64_t wo = layout_.at(prefix + ".weight").offset,
                  bo = layout_.at(prefix + ".bias").offset;
    std::vector<double> y(rows * out);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < out; ++o) {
        double s = v_[bo + o];
        for (int64_t i = 0; i < in; ++i) s += x[r * in + i] * v_[wo + o * in + i];
        y[r * out + o] = s;
      }
    return y;
  }

  std::vector<double> layernorm(const std::vector<double>& x, const std::string& prefix) const {
    const int64_t C = c_.hidden_size, rows = int64_t(x.size()) / C;
    const int64_t wo = layout_.at(prefix + ".weight").offset,
                  bo = layout_.at(prefix + ".bias").offset;
    std::vector<double> y(x.size());
    for (int64_t r = 0; r < rows; ++r) {
      double m = 0, var = 0;
      for (int64_t k = 0; k < C; ++k) m += x[r * C + k];
      m /= double(C);
      for (int64_t k = 0; k < C; ++k) var += (x[r * C + k] - m) * (x[r * C + k] - m);
      var /= double(C);
      for (int64_t k = 0; k < C; ++k)
        y[r * C + k] =
            (x[r * C + k] - m) / std::sqrt(var + c_.layer_norm_eps) * v_[wo + k] + v_[bo + k];
    }
    return y;
  }

  const BertConfig& c_;
  const ParameterLayout& layout_;
  const std::vector<double>& v_;
};

}  // namespace greenbert::testing
