#include "infer/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "infer/attention_amx.h"
#include "kernels/bf16.h"
#include "kernels/parallel.h"
#include "kernels/vec_math.h"

namespace greenbert {

namespace {

int64_t round_up(int64_t x, int64_t to) {
  return (x + to - 1) / to * to;
}

// The portable path's scratch, in floats: q (Qr, D), kᵀ (D, Lp), v (L, Dp), scores (Qr, Lp),
// context (Qr, Dp), inverse sums (Qr), with Qr = queries rounded to 4, Lp = L rounded to 16,
// Dp = D rounded to 16.
struct PortableScratch {
  float *q, *kt, *v, *s, *o, *inv;

  PortableScratch(float* base, int64_t qr, int64_t lp, int64_t l, int64_t d, int64_t dp) {
    q = base;
    kt = q + qr * d;
    v = kt + d * lp;
    s = v + l * dp;
    o = s + qr * lp;
    inv = o + qr * dp;
  }
  static int64_t floats(int64_t qr, int64_t lp, int64_t l, int64_t d, int64_t dp) {
    return qr * d + d * lp + l * dp + qr * lp + qr * dp + qr;
  }
};

float load(const void* qkv, Precision precision, int64_t index) {
  return precision == Precision::bf16 ? from_bf16(static_cast<const uint16_t*>(qkv)[index])
                                      : static_cast<const float*>(qkv)[index];
}

// s (rows4, lp) = scale · q (rows4, d) · kt (d, lp); rows4 a multiple of 4, lp of 16.
GREENBERT_ISA_CLONES
void scores_kernel(float* s, const float* q, const float* kt, int64_t rows4, int64_t lp, int64_t d,
                   float scale) {
  for (int64_t i0 = 0; i0 < rows4; i0 += 4)
    for (int64_t j0 = 0; j0 < lp; j0 += 16) {
      float acc[4][16] = {};
      for (int64_t e = 0; e < d; ++e) {
        const float* k = kt + e * lp + j0;
        for (int r = 0; r < 4; ++r) {
          const float qv = q[(i0 + r) * d + e];
#pragma omp simd
          for (int jj = 0; jj < 16; ++jj) acc[r][jj] += qv * k[jj];
        }
      }
      for (int r = 0; r < 4; ++r)
#pragma omp simd
        for (int jj = 0; jj < 16; ++jj) s[(i0 + r) * lp + j0 + jj] = acc[r][jj] * scale;
    }
}

// Softmax of the first l entries of each of `rows` rows (row stride lp); entries l..lp become 0.
// bf16: the exponentials are rounded to bf16 unnormalised (what P·V multiplies) and inv[i]
// receives 1 / their sum, by which the context is divided after P·V; f32: the probabilities
// themselves, inv[i] = 1.
GREENBERT_ISA_CLONES
void softmax_kernel(float* s, float* inv, int64_t rows, int64_t l, int64_t lp, bool bf16) {
  for (int64_t i = 0; i < rows; ++i) {
    float* row = s + i * lp;
    const float m = vec::max(row, l);
    for (int64_t j = 0; j < l; ++j) row[j] = vec::exp(row[j] - m);
    const float total_inv = 1.0f / vec::sum(row, l);
    if (bf16) {
      for (int64_t j = 0; j < l; ++j) row[j] = round_to_bf16(row[j]);
      inv[i] = total_inv;
    } else {
      for (int64_t j = 0; j < l; ++j) row[j] *= total_inv;
      inv[i] = 1.0f;
    }
    for (int64_t j = l; j < lp; ++j) row[j] = 0.0f;
  }
}

// o (rows4, dp) = p (rows4, l; row stride lp) · v (l, dp); rows4 a multiple of 4, dp of 16.
GREENBERT_ISA_CLONES
void context_kernel(float* o, const float* p, const float* v, int64_t rows4, int64_t l, int64_t lp,
                    int64_t dp) {
  for (int64_t i0 = 0; i0 < rows4; i0 += 4)
    for (int64_t d0 = 0; d0 < dp; d0 += 16) {
      float acc[4][16] = {};
      for (int64_t j = 0; j < l; ++j) {
        const float* vv = v + j * dp + d0;
        for (int r = 0; r < 4; ++r) {
          const float pr = p[(i0 + r) * lp + j];
#pragma omp simd
          for (int dd = 0; dd < 16; ++dd) acc[r][dd] += pr * vv[dd];
        }
      }
      for (int r = 0; r < 4; ++r)
#pragma omp simd
        for (int dd = 0; dd < 16; ++dd) o[(i0 + r) * dp + d0 + dd] = acc[r][dd];
    }
}

}  // namespace

int64_t attention_scratch_floats(const AttentionShape& g, int64_t max_len) {
  const int64_t d = g.head_dim;
  const int64_t portable = PortableScratch::floats(round_up(max_len, 4), round_up(max_len, 16),
                                                   max_len, d, round_up(d, 16));
  return std::max(portable, amx_attention_scratch_floats(d, max_len));
}

bool attention_uses_amx() {
  return amx_attention_available();
}

void attention_head_portable(float* ctx, int64_t ldc, const void* qkv, Precision precision,
                             const AttentionShape& g, int64_t head, int64_t length,
                             int64_t first_query, int64_t queries, float* scratch) {
  const int64_t C = g.hidden(), D = g.head_dim, L = length;
  const int64_t qr = round_up(queries, 4), lp = round_up(L, 16), dp = round_up(D, 16);
  PortableScratch w(scratch, qr, lp, L, D, dp);
  const int64_t q0 = head * D, k0 = C + head * D, v0 = 2 * C + head * D;
  for (int64_t i = 0; i < qr; ++i)
    for (int64_t e = 0; e < D; ++e)
      w.q[i * D + e] =
          i < queries ? load(qkv, precision, (first_query + i) * 3 * C + q0 + e) : 0.0f;
  for (int64_t e = 0; e < D; ++e)
    for (int64_t j = 0; j < lp; ++j)
      w.kt[e * lp + j] = j < L ? load(qkv, precision, j * 3 * C + k0 + e) : 0.0f;
  for (int64_t j = 0; j < L; ++j)
    for (int64_t e = 0; e < dp; ++e)
      w.v[j * dp + e] = e < D ? load(qkv, precision, j * 3 * C + v0 + e) : 0.0f;

  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  scores_kernel(w.s, w.q, w.kt, qr, lp, D, scale);
  softmax_kernel(w.s, w.inv, qr, L, lp, precision == Precision::bf16);
  context_kernel(w.o, w.s, w.v, qr, L, lp, dp);
  for (int64_t i = 0; i < queries; ++i)
    for (int64_t e = 0; e < D; ++e) ctx[i * ldc + e] = w.o[i * dp + e] * w.inv[i];
}

void attention_head(float* ctx, int64_t ldc, const void* qkv, Precision precision,
                    const AttentionShape& g, int64_t head, int64_t length, int64_t first_query,
                    int64_t queries, float* scratch) {
  if (precision == Precision::bf16 && amx_attention_available()) {
    amx_attention_head(ctx, ldc, static_cast<const uint16_t*>(qkv), g.hidden(), g.head_dim, head,
                       length, first_query, queries, scratch);
    return;
  }
  attention_head_portable(ctx, ldc, qkv, precision, g, head, length, first_query, queries, scratch);
}

}  // namespace greenbert
