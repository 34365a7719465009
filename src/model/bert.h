#pragma once
// The BERT-family encoder (post-LayerNorm) with a multi-label classification head, forward and
// backward over packed batches, in fp32 (or bf16 GEMMs with fp32 accumulation).
//
//   embeddings: LayerNorm(word + position [+ token type]) → dropout
//   each layer: x → QKV → attention (dropout on probabilities) → dense [→ dropout] → +x → LN
//               → dense → GELU → dense → dropout → + → LN
//   head:       [CLS] → dense → tanh (BERT pooler) | ReLU (DistilBERT pre_classifier)
//               → dropout → classifier → logits (B, labels)
//
// This is HF's BertForSequenceClassification / DistilBertForSequenceClassification math.
// Gradients ACCUMULATE into `grads` (zero them before the first micro-batch of a step).
#include <span>

#include "model/activations.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/parameters.h"

namespace greenbert {

// Embeddings and encoder layers; leaves acts.last_hidden_state() (T, C).
void encoder_forward(const BertConfig& config, const ParameterBuffer& params,
                     const TokenBatch& batch, const ForwardOptions& options, Activations& acts);
// Head on the encoder output of the last encoder_forward: logits (B, labels).
void classifier_forward(const BertConfig& config, const ParameterBuffer& params,
                        const TokenBatch& batch, Activations& acts, std::span<float> logits);
// encoder_forward + classifier_forward.
void forward(const BertConfig& config, const ParameterBuffer& params, const TokenBatch& batch,
             const ForwardOptions& options, Activations& acts, std::span<float> logits);

// Head backward from dlogits (B, labels): accumulates head gradients and SETS acts.d_hidden
// (T, C) to the gradient w.r.t. the encoder output (zero except at [CLS] rows).
void classifier_backward(const BertConfig& config, const ParameterBuffer& params,
                         const TokenBatch& batch, Activations& acts, std::span<const float> dlogits,
                         ParameterBuffer& grads);
// Encoder backward from acts.d_hidden (T, C); other heads (MLM) add into d_hidden first.
void encoder_backward(const BertConfig& config, const ParameterBuffer& params,
                      const TokenBatch& batch, Activations& acts, ParameterBuffer& grads);
// classifier_backward + encoder_backward, for the batch and options of the last forward.
void backward(const BertConfig& config, const ParameterBuffer& params, const TokenBatch& batch,
              Activations& acts, std::span<const float> dlogits, ParameterBuffer& grads);

// Dropout streams of one forward pass: one per dropout site, so masks never repeat.
uint64_t dropout_stream_embeddings();
uint64_t dropout_stream_attention_probs(int64_t layer);
uint64_t dropout_stream_attention_output(int64_t layer);
uint64_t dropout_stream_ffn_output(int64_t layer);
uint64_t dropout_stream_head();

}  // namespace greenbert
