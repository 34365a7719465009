#include "kernels/gemm.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <string>
#include <unordered_map>

#include "core/error.h"
#include "kernels/bf16.h"
#include "tensor/aligned_array.h"

namespace greenbert {

namespace {

using dnnl::memory;
using Dims = memory::dims;

struct ShapeHash {
  size_t operator()(const GemmShape& s) const {
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
    for (int64_t v : {s.m, s.n, s.k, s.lda, s.ldb, s.ldc}) mix(static_cast<uint64_t>(v));
    uint32_t alpha_bits;
    std::memcpy(&alpha_bits, &s.alpha, sizeof alpha_bits);
    mix(alpha_bits);
    mix(static_cast<uint64_t>(s.trans_a) | static_cast<uint64_t>(s.trans_b) << 1 |
        static_cast<uint64_t>(s.accumulate) << 2 | static_cast<uint64_t>(s.bias) << 3 |
        static_cast<uint64_t>(s.precision) << 4 | static_cast<uint64_t>(s.runtime_m) << 5 |
        static_cast<uint64_t>(s.runtime_k) << 6);
    return h;
  }
};

// Stored (rows, cols) of an operand and its strides once defaults are filled in.
struct Operand {
  int64_t rows, cols, ld;
};

Operand operand_a(const GemmShape& s) {
  int64_t rows = s.trans_a ? s.k : s.m, cols = s.trans_a ? s.m : s.k;
  int64_t ld = s.lda ? s.lda : cols;
  return {rows, cols, ld};
}
Operand operand_b(const GemmShape& s) {
  int64_t rows = s.trans_b ? s.n : s.k, cols = s.trans_b ? s.k : s.n;
  int64_t ld = s.ldb ? s.ldb : cols;
  return {rows, cols, ld};
}
Operand operand_c(const GemmShape& s) {
  int64_t ld = s.ldc ? s.ldc : s.n;
  return {s.m, s.n, ld};
}

// The logical (rows, cols) matrix op(X) of a stored operand, as a oneDNN descriptor: a
// transposed operand is the same memory read with its strides swapped. `rows` and `cols` are
// the logical ones, possibly DNNL_RUNTIME_DIM_VAL.
memory::desc logical_desc(const Operand& o, bool transposed, int64_t rows, int64_t cols,
                          memory::data_type type) {
  return memory::desc(Dims{rows, cols}, type, transposed ? Dims{1, o.ld} : Dims{o.ld, 1});
}

struct Descs {
  memory::desc a, b, c, bias;
  Operand a_op, b_op;  // stored geometry of the inputs (before any bf16 conversion)
};

// The descriptors of a product. With `runtime`, the dimensions the shape marks as varying are
// DNNL_RUNTIME_DIM_VAL (for the primitive); without, every dimension is the shape's (for the
// memory objects of one call, or a fixed-shape primitive).
// With `emulated`, bf16 operands are given as rounded fp32 values.
Descs descs_of(const GemmShape& s, bool runtime, bool emulated) {
  Descs d{{}, {}, {}, {}, operand_a(s), operand_b(s)};
  const int64_t m = runtime && s.runtime_m ? DNNL_RUNTIME_DIM_VAL : s.m;
  const int64_t k = runtime && s.runtime_k ? DNNL_RUNTIME_DIM_VAL : s.k;
  const bool bf16 = s.precision == Precision::bf16;
  const auto in_type = bf16 && !emulated ? memory::data_type::bf16 : memory::data_type::f32;
  // bf16 operands are converted into dense scratch, so their strides are the dense ones.
  auto dense = [](const Operand& o) { return Operand{o.rows, o.cols, o.cols}; };
  d.a = logical_desc(bf16 ? dense(d.a_op) : d.a_op, s.trans_a, m, k, in_type);
  d.b = logical_desc(bf16 ? dense(d.b_op) : d.b_op, s.trans_b, k, s.n, in_type);
  d.c = logical_desc(operand_c(s), false, m, s.n, memory::data_type::f32);
  if (s.bias) d.bias = memory::desc(Dims{1, s.n}, memory::data_type::f32, Dims{s.n, 1});
  return d;
}

// A runtime dimension must leave the leading dimensions fixed: throws otherwise.
void check_runtime_shape(const GemmShape& s) {
  if (!s.runtime_m && !s.runtime_k) return;
  const bool a_cols_vary = s.trans_a ? s.runtime_m : s.runtime_k;
  const bool b_cols_vary = s.trans_b && s.runtime_k;
  if ((a_cols_vary && (s.lda == 0 || s.precision == Precision::bf16)) ||
      (b_cols_vary && (s.ldb == 0 || s.precision == Precision::bf16)))
    fail("gemm: a runtime dimension may not set a leading dimension (m=", s.m, " n=", s.n,
         " k=", s.k, ")");
}

struct Cached {
  dnnl::matmul primitive;
  std::string implementation;
  bool emulated_bf16 = false;  // a bf16 shape run by the fp32 kernel on rounded operands
  // Memory objects carry concrete dimensions: built for the (m, k) of the last call, and rebuilt
  // only when a runtime dimension changes (a packed batch's token count), so consecutive calls
  // with the same dimensions only swap data handles. `args` refers to these objects.
  int64_t built_m = -1, built_k = -1;
  memory a, b, c, bias;
  std::unordered_map<int, memory> args;
};

struct Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::unordered_map<GemmShape, Cached, ShapeHash> cache;
  AlignedArray<uint16_t> a_bf16, b_bf16;     // grown on demand; reused across calls
  AlignedArray<float> a_rounded, b_rounded;  // the same for emulated bf16
};

Context& context() {
  thread_local Context ctx;
  return ctx;
}

// oneDNN's first choice, except for fp32 where its jit GEMM ("gemm:jit") runs the Linear-layer
// shapes of BERT at 300-360 GFLOPS on 2 cores against 110-320 for the first choice, brgemm
// (bench/bench_gemm: dx and dW of the FFN output layer are the slow ones). A fixed rule, not a
// timing, so that runs stay reproducible.
// Returns an empty descriptor when oneDNN has no implementation for the types at all.
dnnl::matmul::primitive_desc choose_implementation(const dnnl::matmul::desc& desc,
                                                   const dnnl::primitive_attr& attr,
                                                   const dnnl::engine& engine, bool f32) {
  const char* preferred = f32 ? "gemm:jit" : "";
  dnnl_primitive_desc_iterator_t iterator = nullptr;
  if (dnnl_primitive_desc_iterator_create(&iterator, &desc.data, attr.get(), engine.get(),
                                          nullptr) != dnnl_success)
    return {};
  dnnl_primitive_desc_t chosen = dnnl_primitive_desc_iterator_fetch(iterator);
  while (*preferred != '\0' && dnnl_primitive_desc_iterator_next(iterator) == dnnl_success) {
    dnnl_primitive_desc_t candidate = dnnl_primitive_desc_iterator_fetch(iterator);
    const char* name = nullptr;
    dnnl_primitive_desc_query(candidate, dnnl_query_impl_info_str, 0, &name);
    if (name != nullptr && std::string(name) == preferred) {
      dnnl_primitive_desc_destroy(chosen);
      chosen = candidate;
      break;
    }
    dnnl_primitive_desc_destroy(candidate);
  }
  dnnl_primitive_desc_iterator_destroy(iterator);
  return dnnl::matmul::primitive_desc(chosen);
}

// The cache key: the shape with its varying dimensions left out.
GemmShape primitive_key(GemmShape s) {
  if (s.runtime_m) s.m = 0;
  if (s.runtime_k) s.k = 0;
  return s;
}

Cached& lookup(const GemmShape& s) {
  Context& ctx = context();
  const GemmShape key = primitive_key(s);
  auto found = ctx.cache.find(key);
  if (found != ctx.cache.end()) return found->second;

  if (s.precision == Precision::int8)
    fail("gemm: int8 is an inference precision; these GEMMs run at fp32 or bf16");
  check_runtime_shape(s);
  const bool runtime = s.runtime_m || s.runtime_k;
  dnnl::primitive_attr attr;
  if (s.alpha != 1.0f) attr.set_output_scales(0, {s.alpha});
  if (s.accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    attr.set_post_ops(ops);
  }
  auto build = [&](bool emulated) {
    const Descs d = descs_of(s, runtime, emulated);
    const bool f32_kernel = s.precision == Precision::fp32 || emulated;
    return choose_implementation(dnnl::matmul::desc(d.a, d.b, d.bias, d.c), attr, ctx.engine,
                                 f32_kernel);
  };
  bool emulated = false;
  dnnl::matmul::primitive_desc pd = build(false);
  if (!pd && s.precision == Precision::bf16) pd = build(emulated = true);
  if (!pd)
    fail("gemm: oneDNN cannot build a matmul for m=", s.m, " n=", s.n, " k=", s.k,
         " precision=", precision_name(s.precision));
  Cached& entry = ctx.cache[key];
  entry.primitive = dnnl::matmul(pd);
  entry.emulated_bf16 = emulated;
  entry.implementation = pd.impl_info_str();
  if (emulated) entry.implementation += " (bf16 emulated in f32)";
  return entry;
}

template <typename T>
void ensure_size(AlignedArray<T>& buffer, size_t size) {
  if (buffer.size() < size) buffer = AlignedArray<T>(size);
}

}  // namespace

void gemm(const GemmShape& s, const float* a, const float* b, float* c, const float* bias) {
  if (s.m <= 0 || s.n <= 0) return;
  if (s.k <= 0) fail("gemm: k must be positive (got ", s.k, ")");
  if (s.bias && bias == nullptr) fail("gemm: shape asks for a bias but none was given");
  Context& ctx = context();
  Cached& entry = lookup(s);
  const void* a_data = a;
  const void* b_data = b;
  if (entry.emulated_bf16) {
    const Operand a_op = operand_a(s), b_op = operand_b(s);
    ensure_size(ctx.a_rounded, static_cast<size_t>(a_op.rows * a_op.cols));
    ensure_size(ctx.b_rounded, static_cast<size_t>(b_op.rows * b_op.cols));
    round_to_bf16_strided(ctx.a_rounded.data(), a, a_op.rows, a_op.cols, a_op.ld);
    round_to_bf16_strided(ctx.b_rounded.data(), b, b_op.rows, b_op.cols, b_op.ld);
    a_data = ctx.a_rounded.data();
    b_data = ctx.b_rounded.data();
  } else if (s.precision == Precision::bf16) {
    const Operand a_op = operand_a(s), b_op = operand_b(s);
    ensure_size(ctx.a_bf16, static_cast<size_t>(a_op.rows * a_op.cols));
    ensure_size(ctx.b_bf16, static_cast<size_t>(b_op.rows * b_op.cols));
    to_bf16_strided(ctx.a_bf16.data(), a, a_op.rows, a_op.cols, a_op.ld);
    to_bf16_strided(ctx.b_bf16.data(), b, b_op.rows, b_op.cols, b_op.ld);
    a_data = ctx.a_bf16.data();
    b_data = ctx.b_bf16.data();
  }
  if (entry.built_m != s.m || entry.built_k != s.k) {
    const Descs d = descs_of(s, false, entry.emulated_bf16);
    entry.a = memory(d.a, ctx.engine, DNNL_MEMORY_NONE);
    entry.b = memory(d.b, ctx.engine, DNNL_MEMORY_NONE);
    entry.c = memory(d.c, ctx.engine, DNNL_MEMORY_NONE);
    entry.args = {{DNNL_ARG_SRC, entry.a}, {DNNL_ARG_WEIGHTS, entry.b}, {DNNL_ARG_DST, entry.c}};
    if (s.bias) {
      entry.bias = memory(d.bias, ctx.engine, DNNL_MEMORY_NONE);
      entry.args.emplace(DNNL_ARG_BIAS, entry.bias);
    }
    entry.built_m = s.m, entry.built_k = s.k;
  }
  entry.a.set_data_handle(const_cast<void*>(a_data));
  entry.b.set_data_handle(const_cast<void*>(b_data));
  entry.c.set_data_handle(c);
  if (s.bias) entry.bias.set_data_handle(const_cast<float*>(bias));
  entry.primitive.execute(ctx.stream, entry.args);
  ctx.stream.wait();
}

const char* gemm_implementation(const GemmShape& shape) {
  return lookup(shape).implementation.c_str();
}

void linear_forward(float* y, const float* x, const float* w, const float* bias, int64_t rows,
                    int64_t in, int64_t out, Precision precision) {
  GemmShape s;
  s.m = rows, s.n = out, s.k = in, s.trans_b = true, s.bias = bias != nullptr;
  s.precision = precision, s.runtime_m = true;
  gemm(s, x, w, y, bias);
}

void linear_backward_input(float* dx, const float* dy, const float* w, int64_t rows, int64_t in,
                           int64_t out, bool accumulate, Precision precision) {
  GemmShape s;
  s.m = rows, s.n = in, s.k = out, s.accumulate = accumulate, s.precision = precision;
  s.runtime_m = true;
  gemm(s, dy, w, dx);
}

void linear_backward_weight(float* dw, const float* dy, const float* x, int64_t rows, int64_t in,
                            int64_t out, Precision precision) {
  GemmShape s;
  s.m = out, s.n = in, s.k = rows, s.trans_a = true, s.accumulate = true;
  s.precision = precision, s.runtime_k = true;
  gemm(s, dy, x, dw);
}

}  // namespace greenbert
