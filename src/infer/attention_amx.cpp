#include "infer/attention_amx.h"

#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include "kernels/bf16.h"
#include "kernels/vec_math.h"

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
// with Dp = D rounded to 32, De = D rounded to 16.
struct Layout {
  int64_t lq16, lk16, lk32, dp, de;
  size_t q, k, s, p, v, o, end;

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
    end = o + aligned(size_t(lq16 * de) * 4);
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

// The portable path's softmax, with the scale applied first: same exp, same sums, same rounding.
GREENBERT_AMX void softmax_to_bf16(uint16_t* p, int64_t ldp, float* s, int64_t lds, int64_t queries,
                                   int64_t rows, int64_t length, float scale) {
  for (int64_t i = 0; i < rows; ++i) {
    uint16_t* out = p + i * ldp;
    if (i >= queries) {
      std::memset(out, 0, size_t(ldp) * 2);
      continue;
    }
    float* row = s + i * lds;
    for (int64_t j = 0; j < length; ++j) row[j] *= scale;
    const float m = vec::max(row, length);
    for (int64_t j = 0; j < length; ++j) row[j] = vec::exp(row[j] - m);
    const float inv = 1.0f / vec::sum(row, length);
    for (int64_t j = 0; j < length; ++j) out[j] = to_bf16(row[j] * inv);
    for (int64_t j = length; j < ldp; ++j) out[j] = 0;
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
                        int64_t head_dim, int64_t head, int64_t length, int64_t queries,
                        float* scratch) {
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
  const uint16_t* q_in = qkv + head * D;
  const uint16_t* k_in = qkv + C + head * D;
  const uint16_t* v_in = qkv + 2 * C + head * D;

  // Q rows, zero-padded to Lq16 × Dp.
  for (int64_t i = 0; i < w.lq16; ++i)
    for (int64_t e = 0; e < w.dp; ++e)
      q[i * w.dp + e] = i < queries && e < D ? q_in[i * ld + e] : 0;
  // Kᵀ in pairs: k[r][j][t] = K[j][2r + t].
  for (int64_t r = 0; r < w.dp / 2; ++r)
    for (int64_t j = 0; j < w.lk16; ++j)
      for (int64_t t = 0; t < 2; ++t) {
        const int64_t e = 2 * r + t;
        k[(r * w.lk16 + j) * 2 + t] = j < L && e < D ? k_in[j * ld + e] : 0;
      }
  // V in pairs of keys: v[r][e][t] = V[2r + t][e].
  for (int64_t r = 0; r < w.lk32 / 2; ++r)
    for (int64_t e = 0; e < w.de; ++e)
      for (int64_t t = 0; t < 2; ++t) {
        const int64_t j = 2 * r + t;
        v[(r * w.de + e) * 2 + t] = j < L && e < D ? v_in[j * ld + e] : 0;
      }

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

  softmax_to_bf16(p, w.lk32, s, w.lk16, queries, w.lq16, L,
                  1.0f / std::sqrt(static_cast<float>(D)));
  GREENBERT_MEMORY_BARRIER();

  // O (Lq16, De) = P · V: A = 16 query rows × 32 keys, B = 16 key-pairs × 16 d.
  for (int64_t ib = 0; ib < w.lq16 / 16; ++ib)
    tile_row(
        w.de / 16, w.lk32 / 32, [&](int64_t kb) { return p + (ib * 16) * w.lk32 + kb * 32; },
        w.lk32 * 2, [&](int64_t kb, int64_t eb) { return v + (kb * 16 * w.de + eb * 16) * 2; },
        w.de * 4, [&](int64_t eb) { return o + (ib * 16) * w.de + eb * 16; }, w.de * 4);
  _tile_release();
  GREENBERT_MEMORY_BARRIER();

  for (int64_t i = 0; i < queries; ++i)
    std::memcpy(ctx + i * ldc, o + i * w.de, static_cast<size_t>(D) * sizeof(float));
}

}  // namespace greenbert
