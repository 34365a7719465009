#pragma once
// Matrix products through oneDNN matmul primitives, cached by shape so that the training loop
// never re-creates one (creation costs ~0.1-1 ms; a step runs hundreds of products).
//
//   C (m, n) = alpha * op(A) (m, k) · op(B) (k, n) [+ bias (n)] [+ C]
//
// Matrices are row-major with explicit leading dimensions (row strides), so attention can
// multiply per-head slices of the packed (T, 3C) QKV buffer in place.
// op(A) = Aᵀ means A is stored (k, m) with row stride lda; likewise op(B) = Bᵀ stores B (n, k).
//
// Precision::bf16 (core/precision.h) rounds A and B to bfloat16 (round-to-nearest-even) and
// accumulates in fp32 (AMX / AVX512-BF16 on CPUs that have them); C, bias and alpha stay fp32. On
// CPUs where oneDNN has no bf16 matmul (AVX2), the rounded operands are multiplied by the fp32
// kernel instead: the same products (a product of two bf16 values is exact in fp32), only slower
// than fp32 itself. Results are deterministic for a fixed shape and thread count. Precision::int8
// is the inference session's alone: gemm() refuses it.
#include <cstdint>

#include "core/precision.h"

namespace greenbert {

struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false;
  bool trans_b = false;
  int64_t lda = 0, ldb = 0, ldc = 0;  // 0 means dense: cols of the stored matrix
  float alpha = 1.0f;
  bool accumulate = false;  // C += product instead of C = product
  bool bias = false;        // add bias (n) to every row of C
  Precision precision = Precision::fp32;
  // m (or k) differs from call to call (it counts the tokens of a packed batch): one primitive,
  // created with a oneDNN runtime dimension, serves every value. Without this, each new token
  // count would build and cache a primitive (a few ms each, and about 1 MB each for bf16 on
  // AMX), and a training epoch meets thousands. Needs leading dimensions that do not depend on
  // the varying dimension.
  bool runtime_m = false;
  bool runtime_k = false;

  bool operator==(const GemmShape&) const = default;
};

// a, b, c as described above; bias (n) when shape.bias. Never called concurrently on one thread;
// each thread keeps its own primitive cache, so separate threads may call it at once.
void gemm(const GemmShape& shape, const float* a, const float* b, float* c,
          const float* bias = nullptr);

// Implementation oneDNN picked for a shape ("brg:avx512_core", "gemm:jit"...), for benchmarks
// and for tests that guard against silent fallbacks to reference code.
const char* gemm_implementation(const GemmShape& shape);

// The three products of a Linear layer y = x·wᵀ + b, with HF's weight layout w (out, in).
// x (rows, in), w (out, in), bias (out) or nullptr, y (rows, out)
void linear_forward(float* y, const float* x, const float* w, const float* bias, int64_t rows,
                    int64_t in, int64_t out, Precision precision = Precision::fp32);
// dx (rows, in) = [dx +] dy (rows, out) · w (out, in)
void linear_backward_input(float* dx, const float* dy, const float* w, int64_t rows, int64_t in,
                           int64_t out, bool accumulate, Precision precision = Precision::fp32);
// dw (out, in) += dyᵀ (out, rows) · x (rows, in)
void linear_backward_weight(float* dw, const float* dy, const float* x, int64_t rows, int64_t in,
                            int64_t out, Precision precision = Precision::fp32);

}  // namespace greenbert
