#pragma once
// Products of row blocks of activations with weight matrices PRE-PACKED once, at load time, in
// the layout oneDNN's fastest kernel wants (AMX / AVX512 brgemm), for the inference session.
//
//   C (rows, N) = A (rows, K) · Wᵀ        W (N, K) as HF stores Linear weights
//
// One GemmPlan serves every layer's weight of the same shape and type (the primitives do not
// depend on the values), each weight being a PackedWeights. The session calls multiply() from
// inside its own OpenMP region, one thread per row block: oneDNN then runs each call on the
// calling thread, so threads never wait on each other inside a GEMM and the epilogue that follows
// reads the block while it is still in cache. Blocks are padded to a multiple of 16 rows (one AMX
// tile), so a plan holds at most max_rows / 16 primitives, created on first use; A and C must
// therefore have room for the padded rows (their values there are ignored).
//
// Types: f32 × f32 → f32, bf16 × bf16 → f32, u8 × s8 → s32, s8 × s8 → s32.
//
// CPU support. bf16 without a oneDNN bf16 kernel (AVX2) runs the fp32 kernel on the same values
// (weights widened when packed, each block of activations widened before its product): exact,
// but slower than fp32. The integer types are exact only within what the CPU's kernel can sum:
// without VNNI, oneDNN multiplies u8·s8 pairs with vpmaddubsw, whose int16 pair sums saturate,
// so there u8 activations must stay within u8_activation_max() = 127 (7 bits), and s8 × s8
// cannot be exact at all (the session runs s8-activation models on u8 GEMMs instead).
#include <oneapi/dnnl/dnnl.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace greenbert {

enum class GemmType : uint8_t { f32, bf16, u8s8, s8s8 };

const char* gemm_type_name(GemmType type);
// Bytes of one activation (A) element and one weight element.
size_t activation_bytes(GemmType type);
size_t weight_bytes(GemmType type);
// Whether C holds int32 accumulators (the integer types) rather than floats.
bool integer_gemm(GemmType type);

// Whether oneDNN has a bf16 matmul kernel on this CPU (AVX512-BF16, AMX, or AVX-512 emulation).
bool has_bf16_gemm();
// Whether oneDNN's int8 kernels on this CPU use VNNI (AVX512-VNNI, AVX-VNNI or AMX).
bool int8_gemm_has_vnni();
// The largest u8 activation code an integer GEMM multiplies exactly here: 255 or 127.
int32_t u8_activation_max();

// Rows of the padded block that multiply() computes for `rows` rows.
inline int64_t padded_rows(int64_t rows) {
  return (rows + 15) / 16 * 16;
}

struct PackedWeights {
  dnnl::memory memory;  // (K, N) in the plan's packed layout
};

class GemmPlan {
 public:
  // max_rows: the largest block (a multiple of 16); threads: the OpenMP threads that may call
  // multiply() (each gets its own oneDNN stream, memory objects and scratchpad).
  GemmPlan(int64_t n, int64_t k, GemmType type, int64_t max_rows, int threads);
  ~GemmPlan();
  GemmPlan(const GemmPlan&) = delete;
  GemmPlan& operator=(const GemmPlan&) = delete;

  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  GemmType type() const { return type_; }
  // oneDNN's implementation, e.g. "brg:avx512_core_amx_int8".
  const std::string& implementation() const { return implementation_; }

  // Packs W (N, K) row-major, elements of the plan's weight type (f32, bf16 bits, or s8).
  PackedWeights pack(const void* weights) const;

  // c (padded_rows(rows), N) = a (padded_rows(rows), K) · Wᵀ, on the calling thread, `thread`
  // being its OpenMP thread number. Dense rows: lda = K, ldc = N. Thread-safe across threads.
  void multiply(int thread, const void* a, const PackedWeights& weights, void* c,
                int64_t rows) const;

 private:
  struct Variant;
  Variant& variant(int64_t padded) const;
  std::unique_ptr<Variant> create_variant(int64_t padded) const;

  int64_t n_, k_;
  GemmType type_;
  int64_t max_rows_;
  int threads_;
  dnnl::engine engine_;
  std::vector<dnnl::stream> streams_;  // one per thread
  dnnl::memory::desc packed_desc_;
  std::string implementation_;
  bool emulated_bf16_ = false;  // bf16 values multiplied by the fp32 kernel (no bf16 kernel here)
  // variants_[padded / 16 - 1], created on first use under mutex_.
  mutable std::vector<std::atomic<Variant*>> variants_;
  mutable std::vector<std::unique_ptr<Variant>> owned_;
  mutable std::mutex mutex_;
};

}  // namespace greenbert
