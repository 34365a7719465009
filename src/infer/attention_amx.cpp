#include "infer/attention_amx.h"

#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "infer/exp_avx512.h"
#include "kernels/bf16.h"
#include "kernels/vec_math.h"

// GCC 12's AVX-512 unpack intrinsics start from a deliberately undefined vector, which
// -Wmaybe-uninitialized reports (GCC bug 105593).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace greenbert {

namespace {

constexpr long kArchRequestXcompPermission = 0x1023;
constexpr long kXfeatureTileData = 18;

bool cpu_has_amx_bf16() {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool amx_tile = (d >> 24) & 1u, amx_bf16 = (d >> 22) & 1u;
  const bool avx512f = (b >> 16) & 1u;
  if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return false;
  const bool avx512_bf16 = (a >> 5) & 1u;
  return amx_tile && amx_bf16 && avx512f && avx512_bf16;
}

// Linux hands out the 8 KiB of tile state only to processes that ask (once per process).
bool tiles_permitted() {
  return syscall(SYS_arch_prctl, kArchRequestXcompPermission, kXfeatureTileData) == 0;
}

int64_t round_up(int64_t x, int64_t to) {
  return (x + to - 1) / to * to;
}

// Every tile is a full 16 rows × 64 bytes: tmm0-3 accumulate (16×16 f32), tmm4 holds A
// (16×32 bf16), tmm5-7 hold B (16 pairs × 16 columns of bf16, "VNNI" layout).
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t bytes_per_row[16] = {};
  uint8_t rows[16] = {};
};

// The tile asm statements do not tell the compiler which memory they read or write.
#define GREENBERT_MEMORY_BARRIER() asm volatile("" ::: "memory")

#define GREENBERT_AMX \
  __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16")))

// Scratch layout, in bytes from the base: q (Lq16, Dp) bf16, k (Dp/2, Lk16, 2) bf16,
// s (Lq16, Lk16) f32, p (Lq16, Lk32) bf16, v (Lk32/2, De, 2) bf16, o (Lq16, De) f32,
// sums (Lq16) f32, with Dp = D rounded to 32, De = D rounded to 16.
struct Layout {
  int64_t lq16, lk16, lk32, dp, de;
  size_t q, k, s, p, v, o, sums, end;

  Layout(int64_t queries, int64_t length, int64_t d)
      : lq16(round_up(queries, 16)),
        lk16(round_up(length, 16)),
        lk32(round_up(length, 32)),
        dp(round_up(d, 32)),
        de(round_up(d, 16)) {
    auto aligned = [](size_t bytes) { return (bytes + 63) / 64 * 64; };
    q = 0;
    k = q + aligned(size_t(lq16 * dp) * 2);
    s = k + aligned(size_t(dp * lk16) * 2);
    p = s + aligned(size_t(lq16 * lk16) * 4);
    v = p + aligned(size_t(lq16 * lk32) * 2);
    o = v + aligned(size_t(lk32 * de) * 2);
    sums = o + aligned(size_t(lq16 * de) * 4);
    end = sums + aligned(size_t(lq16) * 4);
  }
};

// C tiles 0..n-1 (n ≤ 4) = Σ over kb of A(kb) · B(kb, 0..n-1). a(kb) and b(kb, t) give the
// addresses; strides in bytes.
template <int N, typename AFn, typename BFn>
GREENBERT_AMX inline void tile_products(int64_t k_steps, AFn a, int64_t a_stride, BFn b,
                                        int64_t b_stride) {
  _tile_zero(0);
  if constexpr (N > 1) _tile_zero(1);
  if constexpr (N > 2) _tile_zero(2);
  if constexpr (N > 3) _tile_zero(3);
  for (int64_t kb = 0; kb < k_steps; ++kb) {
    _tile_loadd(4, a(kb), a_stride);
    _tile_loadd(5, b(kb, 0), b_stride);
    _tile_dpbf16ps(0, 4, 5);
    if constexpr (N > 1) {
      _tile_loadd(6, b(kb, 1), b_stride);
      _tile_dpbf16ps(1, 4, 6);
    }
    if constexpr (N > 2) {
      _tile_loadd(7, b(kb, 2), b_stride);
      _tile_dpbf16ps(2, 4, 7);
    }
    if constexpr (N > 3) {
      _tile_loadd(5, b(kb, 3), b_stride);
      _tile_dpbf16ps(3, 4, 5);
    }
  }
}

template <int N, typename CFn>
GREENBERT_AMX inline void store_tiles(CFn c, int64_t c_stride) {
  _tile_stored(0, c(0), c_stride);
  if constexpr (N > 1) _tile_stored(1, c(1), c_stride);
  if constexpr (N > 2) _tile_stored(2, c(2), c_stride);
  if constexpr (N > 3) _tile_stored(3, c(3), c_stride);
}

// For column blocks 0..blocks-1 in groups of up to 4: products then stores.
template <typename AFn, typename BFn, typename CFn>
GREENBERT_AMX void tile_row(int64_t blocks, int64_t k_steps, AFn a, int64_t a_stride, BFn b,
                            int64_t b_stride, CFn c, int64_t c_stride) {
  for (int64_t first = 0; first < blocks; first += 4) {
    auto bb = [&](int64_t kb, int64_t t) { return b(kb, first + t); };
    auto cc = [&](int64_t t) { return c(first + t); };
    switch (blocks - first) {
      case 1:
        tile_products<1>(k_steps, a, a_stride, bb, b_stride);
        store_tiles<1>(cc, c_stride);
        break;
      case 2:
        tile_products<2>(k_steps, a, a_stride, bb, b_stride);
        store_tiles<2>(cc, c_stride);
        break;
      case 3:
        tile_products<3>(k_steps, a, a_stride, bb, b_stride);
        store_tiles<3>(cc, c_stride);
        break;
      default:
        tile_products<4>(k_steps, a, a_stride, bb, b_stride);
        store_tiles<4>(cc, c_stride);
        break;
    }
  }
}

// Elements [0, n) of a row of bf16 as a 32-element chunk mask (n may exceed 32).
GREENBERT_AMX inline __mmask32 first(int64_t n) {
  return n >= 32 ? ~__mmask32{0} : (__mmask32{1} << n) - 1;
}

// dst (rows_padded, dp) = the first d columns of `rows` rows of src (row stride ld), zero
// elsewhere.
GREENBERT_AMX void pack_rows(uint16_t* dst, int64_t dp, const uint16_t* src, int64_t ld,
                             int64_t rows, int64_t rows_padded, int64_t d) {
  for (int64_t i = 0; i < rows_padded; ++i)
    for (int64_t e = 0; e < dp; e += 32) {
      const __mmask32 m = i < rows ? first(d - e) : 0;
      _mm512_storeu_si512(dst + i * dp + e, _mm512_maskz_loadu_epi16(m, src + i * ld + e));
    }
}

// Kᵀ in pairs for tile B operands: k[r][j][t] = K[j][2r + t], i.e. the 32-bit words (pairs of
// bf16) of K transposed, 16×16 words at a time; zero beyond `length` keys and d values.
GREENBERT_AMX void pack_key_pairs(uint16_t* k, int64_t lk16, const uint16_t* src, int64_t ld,
                                  int64_t length, int64_t dp, int64_t d) {
  for (int64_t j0 = 0; j0 < lk16; j0 += 16)
    for (int64_t d0 = 0; d0 < dp; d0 += 32) {
      __m512i r[16], t[16];
      for (int i = 0; i < 16; ++i) {
        const __mmask32 m = j0 + i < length ? first(d - d0) : 0;
        r[i] = _mm512_maskz_loadu_epi16(m, src + (j0 + i) * ld + d0);
      }
      for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
      }
      for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        r[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        r[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        r[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
      }
      // r[4k + m] lane l holds rows 4k..4k+3 of word 4l + m: transpose the 128-bit lanes.
      for (int m = 0; m < 4; ++m) {
        const __m512i x0 = _mm512_shuffle_i32x4(r[m], r[4 + m], 0x44);
        const __m512i x1 = _mm512_shuffle_i32x4(r[m], r[4 + m], 0xEE);
        const __m512i y0 = _mm512_shuffle_i32x4(r[8 + m], r[12 + m], 0x44);
        const __m512i y1 = _mm512_shuffle_i32x4(r[8 + m], r[12 + m], 0xEE);
        t[m] = _mm512_shuffle_i32x4(x0, y0, 0x88);
        t[4 + m] = _mm512_shuffle_i32x4(x0, y0, 0xDD);
        t[8 + m] = _mm512_shuffle_i32x4(x1, y1, 0x88);
        t[12 + m] = _mm512_shuffle_i32x4(x1, y1, 0xDD);
      }
      for (int w = 0; w < 16; ++w) _mm512_storeu_si512(k + ((d0 / 2 + w) * lk16 + j0) * 2, t[w]);
    }
}

// V in pairs of keys for tile B operands: v[r][e][t] = V[2r + t][e]; zero beyond `length` keys
// and d values.
GREENBERT_AMX void pack_value_pairs(uint16_t* v, int64_t de, const uint16_t* src, int64_t ld,
                                    int64_t length, int64_t lk32, int64_t d) {
  alignas(64) static constexpr uint16_t kInterleave[32] = {
      0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
      8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  const __m512i interleave = _mm512_load_si512(kInterleave);
  for (int64_t r = 0; r < lk32 / 2; ++r)
    for (int64_t e = 0; e < de; e += 16) {
      const int64_t rest = std::min<int64_t>(16, d - e);
      const __mmask16 m = rest > 0 ? static_cast<__mmask16>((1u << rest) - 1) : 0;
      const __m256i a = _mm256_maskz_loadu_epi16(2 * r < length ? m : 0, src + 2 * r * ld + e);
      const __m256i b =
          _mm256_maskz_loadu_epi16(2 * r + 1 < length ? m : 0, src + (2 * r + 1) * ld + e);
      const __m512i both = _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);
      _mm512_storeu_si512(v + (r * de + e) * 2, _mm512_permutexvar_epi16(interleave, both));
    }
}

// Mask of the first n (≤ 16) lanes.
GREENBERT_AMX inline __mmask16 lanes(int64_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << n) - 1);
}

// p (rows, ldp) bf16 = exp(scale · s - max of the row) over the first `length` columns of each
// of the first `queries` rows, 0 elsewhere; sums[i] = the row's sum of those exponentials (before
// rounding), by which the context rows are divided after P·V.
GREENBERT_AMX void exponentials_to_bf16(uint16_t* p, int64_t ldp, float* sums, const float* s,
                                        int64_t lds, int64_t queries, int64_t rows, int64_t length,
                                        float scale) {
  const __m512 scale16 = _mm512_set1_ps(scale);
  for (int64_t i = 0; i < rows; ++i) {
    uint16_t* out = p + i * ldp;
    if (i >= queries) {
      std::memset(out, 0, size_t(ldp) * 2);
      continue;
    }
    const float* row = s + i * lds;
    __m512 m = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    for (int64_t j = 0; j < length; j += 16) {
      const __mmask16 k = lanes(length - j);
      m = _mm512_mask_max_ps(m, k, m, _mm512_maskz_loadu_ps(k, row + j));
    }
    // scale > 0: the max of the scaled row is the scaled max.
    const __m512 shift = _mm512_set1_ps(-scale * _mm512_reduce_max_ps(m));
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = 0; j < ldp; j += 16) {
      const __mmask16 k = j < length ? lanes(length - j) : 0;
      const __m512 e = _mm512_maskz_mov_ps(
          k, exp16(_mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, row + j), scale16, shift)));
      sum = _mm512_add_ps(sum, e);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + j),
                          reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(e)));
    }
    sums[i] = _mm512_reduce_add_ps(sum);
  }
}

}  // namespace

bool amx_attention_available() {
  static const bool available = cpu_has_amx_bf16() && tiles_permitted();
  return available;
}

int64_t amx_attention_scratch_floats(int64_t head_dim, int64_t max_len) {
  return static_cast<int64_t>(Layout(max_len, max_len, head_dim).end / 4) + 16;
}

GREENBERT_AMX
void amx_attention_head(float* ctx, int64_t ldc, const uint16_t* qkv, int64_t hidden,
                        int64_t head_dim, int64_t head, int64_t length, int64_t first_query,
                        int64_t queries, float* scratch) {
  const int64_t C = hidden, D = head_dim, L = length, ld = 3 * C;
  const Layout w(queries, L, D);
  auto* base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(scratch) + 63) / 64 *
                                          64);  // tiles like 64-byte rows
  auto* q = reinterpret_cast<uint16_t*>(base + w.q);
  auto* k = reinterpret_cast<uint16_t*>(base + w.k);
  auto* s = reinterpret_cast<float*>(base + w.s);
  auto* p = reinterpret_cast<uint16_t*>(base + w.p);
  auto* v = reinterpret_cast<uint16_t*>(base + w.v);
  auto* o = reinterpret_cast<float*>(base + w.o);
  auto* sums = reinterpret_cast<float*>(base + w.sums);
  const uint16_t* q_in = qkv + first_query * ld + head * D;
  const uint16_t* k_in = qkv + C + head * D;
  const uint16_t* v_in = qkv + 2 * C + head * D;

  pack_rows(q, w.dp, q_in, ld, queries, w.lq16, D);
  pack_key_pairs(k, w.lk16, k_in, ld, L, w.dp, D);
  pack_value_pairs(v, w.de, v_in, ld, L, w.lk32, D);

  TileConfig config;
  for (int t = 0; t < 8; ++t) config.bytes_per_row[t] = 64, config.rows[t] = 16;
  GREENBERT_MEMORY_BARRIER();
  _tile_loadconfig(&config);

  // S (Lq16, Lk16) = Q · Kᵀ: A = 16 query rows × 32 d, B = 16 d-pairs × 16 keys.
  for (int64_t ib = 0; ib < w.lq16 / 16; ++ib)
    tile_row(
        w.lk16 / 16, w.dp / 32, [&](int64_t kb) { return q + (ib * 16) * w.dp + kb * 32; },
        w.dp * 2, [&](int64_t kb, int64_t jb) { return k + (kb * 16 * w.lk16 + jb * 16) * 2; },
        w.lk16 * 4, [&](int64_t jb) { return s + (ib * 16) * w.lk16 + jb * 16; }, w.lk16 * 4);
  GREENBERT_MEMORY_BARRIER();

  exponentials_to_bf16(p, w.lk32, sums, s, w.lk16, queries, w.lq16, L,
                       1.0f / std::sqrt(static_cast<float>(D)));
  GREENBERT_MEMORY_BARRIER();

  // O (Lq16, De) = P · V: A = 16 query rows × 32 keys, B = 16 key-pairs × 16 d. Blocks of 16
  // real queries store straight into ctx when D is whole tiles; others go through o.
  const bool direct = D % 16 == 0;
  for (int64_t ib = 0; ib < w.lq16 / 16; ++ib) {
    const bool full = direct && (ib + 1) * 16 <= queries;
    float* out = full ? ctx + ib * 16 * ldc : o + ib * 16 * w.de;
    const int64_t ldo = full ? ldc : w.de;
    tile_row(
        w.de / 16, w.lk32 / 32, [&](int64_t kb) { return p + (ib * 16) * w.lk32 + kb * 32; },
        w.lk32 * 2, [&](int64_t kb, int64_t eb) { return v + (kb * 16 * w.de + eb * 16) * 2; },
        w.de * 4, [&](int64_t eb) { return out + eb * 16; }, ldo * 4);
  }
  _tile_release();
  GREENBERT_MEMORY_BARRIER();

  for (int64_t i = direct ? queries / 16 * 16 : 0; i < queries; ++i)
    std::memcpy(ctx + i * ldc, o + i * w.de, static_cast<size_t>(D) * sizeof(float));
  // Softmax's normalisation, on D values per row instead of L.
  for (int64_t i = 0; i < queries; ++i) {
    const float inv = 1.0f / sums[i];
    for (int64_t e = 0; e < D; ++e) ctx[i * ldc + e] *= inv;
  }
}

}  // namespace greenbert
