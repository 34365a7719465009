#pragma once
// The inference session: a model loaded once, its weights PRE-PACKED for oneDNN's fastest kernels
// in fp32, bf16 or int8, and a forward pass that never allocates once its workspace has grown to
// the largest batch.
//
//   InferenceSession session = InferenceSession::open(ModelDirectory::open("runs/bert-tiny-int8"),
//   {}); session.run(batch, logits);           // batch: packed TokenBatch, logits (B, labels)
//
// How a batch runs (T packed tokens, no padding): ONE OpenMP region for the whole forward pass.
// Each thread owns a contiguous range of token rows and walks it in blocks of up to
// block_rows; for each block it chains, without waiting for other threads,
//   out-projection → +residual → LayerNorm → FFN in → GELU → FFN out → +residual → LayerNorm
//   → next layer's QKV projection
// with the activations quantized (int8) or converted (bf16) for the next GEMM inside the
// epilogue of the previous one (infer/epilogue.h), while the block is in cache. Attention needs
// the keys and values of every row of a sequence, so threads meet once per layer, after Q, K, V;
// each then computes attention for the queries of its own rows (per sequence and head,
// infer/attention.h) and goes on with them, writing the next layer's Q, K, V into the other of
// two buffers. The last layer computes only the [CLS] rows, the only ones the classification
// head reads.
//
// Precisions (weights → GEMM):
//   fp32:  f32 × f32; attention f32 by default.
//   bf16:  bf16 weights and activations, f32 accumulation (AMX); attention bf16 by default.
//   int8:  s8 weights (per output channel) × u8 or s8 activations quantized per token, or with
//          calibrated static scales, s32 accumulation, dequantized in the epilogue; LayerNorm,
//          softmax, GELU in f32; attention bf16 by default. The word embedding table is int8
//          with per-row scales (read straight from the model file's mapping).
// Position/token-type embeddings, LayerNorm parameters, biases and the classification head
// (pooler + classifier, B rows only) stay f32 in every precision.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/precision.h"
#include "infer/attention.h"
#include "infer/quantization.h"
#include "infer/quantized_model.h"
#include "model/batch.h"
#include "model/config.h"
#include "model/model_directory.h"

namespace greenbert {

struct SessionOptions {
  // Precision to run at. Unset: the model directory's (fp32 for a float checkpoint). An fp32
  // directory can run at any precision (weights quantized in memory exactly as `greenbert
  // quantize` would); a quantized directory only at its own.
  std::optional<Precision> precision;
  int threads = 0;  // 0: physical cores
  // int8 activations when the weights were not quantized with a calibration (which fixes it).
  ActivationType activations = ActivationType::u8;
  // fp32 or bf16; unset: fp32 for fp32 sessions, bf16 otherwise.
  std::optional<Precision> attention;
  int64_t block_rows = 128;  // rows per GEMM call (a multiple of 16)
  // Workspace for batches up to these sizes is allocated at open; a larger batch grows it once.
  int64_t max_tokens = 0;
  int64_t max_sequences = 0;
  // fp32 only: keep the [min, max] of every Linear layer's input over the batches run, for
  // static int8 calibration (activation_ranges()). The last layer then runs on every token.
  bool record_activation_ranges = false;
};

// GEMM work of the Linear layers since the session opened (or reset_stats): what the bench
// reports as achieved GFLOP/s (GOP/s for int8).
struct SessionStats {
  double gemm_ops = 0;      // 2·m·n·k summed over the GEMM calls (real rows, not padding)
  double gemm_seconds = 0;  // wall time inside GEMM calls, summed over threads / threads
  int64_t batches = 0;
  int64_t sequences = 0;
  int64_t tokens = 0;
};

class InferenceSession {
 public:
  // An opened model directory: fp32 (HF-compatible) or written by `greenbert quantize`. Its
  // own weights at their precision are packed straight from the file's mapping.
  static InferenceSession open(const ModelDirectory& model, const SessionOptions& options);
  // fp32 parameters in memory (copied or quantized: `params` may go away after).
  static InferenceSession from_parameters(const BertConfig& config, const ParameterBuffer& params,
                                          const SessionOptions& options);
  // Tensors already at the session's precision (options.precision is ignored).
  static InferenceSession from_tensors(const BertConfig& config, const ModelTensors& tensors,
                                       const SessionOptions& options);

  InferenceSession(InferenceSession&&) noexcept;
  InferenceSession& operator=(InferenceSession&&) noexcept;
  ~InferenceSession();

  const BertConfig& config() const;
  Precision precision() const;
  ActivationType activations() const;  // int8 sessions
  bool static_activations() const;     // int8 with calibrated scales
  Precision attention() const;
  int threads() const;
  // oneDNN's implementation of the Linear-layer GEMMs, e.g. "brg:avx512_core_amx_int8".
  std::string gemm_implementation() const;

  // logits (B, labels) for a packed batch (validated against the config).
  void run(const TokenBatch& batch, std::span<float> logits);
  std::vector<float> run(const TokenBatch& batch);

  SessionStats stats() const;
  void reset_stats();
  // With SessionOptions::record_activation_ranges: the ranges over every batch run so far.
  ActivationRanges activation_ranges() const;

  struct Impl;

 private:
  explicit InferenceSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenbert
