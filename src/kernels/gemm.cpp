#include "kernels/gemm.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <cstring>
#include <string>
#include <unordered_map>

#include "core/error.h"
#include "kernels/bf16.h"
#include "tensor/aligned_array.h"

namespace greenbert {

const char* precision_name(Precision precision) {
  return precision == Precision::bf16 ? "bf16" : "f32";
}

Precision parse_precision(const char* name) {
  std::string text = name;
  if (text == "f32" || text == "fp32") return Precision::f32;
  if (text == "bf16") return Precision::bf16;
  fail("unknown precision '", text, "' (expected f32 or bf16)");
}

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
        static_cast<uint64_t>(s.precision) << 4);
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
// transposed operand is the same memory read with its strides swapped.
memory::desc logical_desc(const Operand& o, bool transposed, memory::data_type type) {
  if (!transposed) return memory::desc(Dims{o.rows, o.cols}, type, Dims{o.ld, 1});
  return memory::desc(Dims{o.cols, o.rows}, type, Dims{1, o.ld});
}

struct Cached {
  dnnl::matmul primitive;
  memory a, b, c, bias;
  Operand a_op, b_op;  // stored operand geometry, for bf16 conversion
  std::string implementation;
  // Built once: the memory handles inside are the ones above, so set_data_handle reaches them.
  std::unordered_map<int, memory> args;
};

struct Context {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::unordered_map<GemmShape, Cached, ShapeHash> cache;
  AlignedArray<uint16_t> a_bf16, b_bf16;  // grown on demand; reused across calls
};

Context& context() {
  thread_local Context ctx;
  return ctx;
}

// oneDNN's first choice, except for fp32 where its jit GEMM ("gemm:jit") runs the Linear-layer
// shapes of BERT at 300-360 GFLOPS on 2 cores against 110-320 for the first choice, brgemm
// (bench/bench_gemm: dx and dW of the FFN output layer are the slow ones). A fixed rule, not a
// timing, so that runs stay reproducible.
dnnl::matmul::primitive_desc choose_implementation(const dnnl::matmul::desc& desc,
                                                   const dnnl::primitive_attr& attr,
                                                   const dnnl::engine& engine, const GemmShape& s) {
  const char* preferred = s.precision == Precision::f32 ? "gemm:jit" : "";
  dnnl_primitive_desc_iterator_t iterator = nullptr;
  if (dnnl_primitive_desc_iterator_create(&iterator, &desc.data, attr.get(), engine.get(),
                                          nullptr) != dnnl_success)
    fail("gemm: oneDNN cannot build a matmul for m=", s.m, " n=", s.n, " k=", s.k,
         " precision=", precision_name(s.precision));
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

Cached& lookup(const GemmShape& s) {
  Context& ctx = context();
  auto found = ctx.cache.find(s);
  if (found != ctx.cache.end()) return found->second;

  Operand a = operand_a(s), b = operand_b(s), c = operand_c(s);
  bool bf16 = s.precision == Precision::bf16;
  auto in_type = bf16 ? memory::data_type::bf16 : memory::data_type::f32;
  // bf16 operands are converted into dense scratch, so their strides are the dense ones.
  Operand a_stored = bf16 ? Operand{a.rows, a.cols, a.cols} : a;
  Operand b_stored = bf16 ? Operand{b.rows, b.cols, b.cols} : b;
  memory::desc a_md = logical_desc(a_stored, s.trans_a, in_type);
  memory::desc b_md = logical_desc(b_stored, s.trans_b, in_type);
  memory::desc c_md = logical_desc(c, false, memory::data_type::f32);
  memory::desc bias_md;
  if (s.bias) bias_md = memory::desc(Dims{1, s.n}, memory::data_type::f32, Dims{s.n, 1});

  dnnl::primitive_attr attr;
  if (s.alpha != 1.0f) attr.set_output_scales(0, {s.alpha});
  if (s.accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    attr.set_post_ops(ops);
  }
  dnnl::matmul::primitive_desc pd =
      choose_implementation(dnnl::matmul::desc(a_md, b_md, bias_md, c_md), attr, ctx.engine, s);
  Cached entry{dnnl::matmul(pd),
               memory(a_md, ctx.engine, DNNL_MEMORY_NONE),
               memory(b_md, ctx.engine, DNNL_MEMORY_NONE),
               memory(c_md, ctx.engine, DNNL_MEMORY_NONE),
               s.bias ? memory(bias_md, ctx.engine, DNNL_MEMORY_NONE) : memory(),
               a,
               b,
               pd.impl_info_str(),
               {}};
  entry.args = {{DNNL_ARG_SRC, entry.a}, {DNNL_ARG_WEIGHTS, entry.b}, {DNNL_ARG_DST, entry.c}};
  if (s.bias) entry.args.emplace(DNNL_ARG_BIAS, entry.bias);
  return ctx.cache.emplace(s, std::move(entry)).first->second;
}

void ensure_size(AlignedArray<uint16_t>& buffer, size_t size) {
  if (buffer.size() < size) buffer = AlignedArray<uint16_t>(size);
}

}  // namespace

void gemm(const GemmShape& s, const float* a, const float* b, float* c, const float* bias) {
  if (s.m <= 0 || s.n <= 0) return;
  if (s.k <= 0) fail("gemm: k must be positive (got ", s.k, ")");
  if (s.bias && bias == nullptr) fail("gemm: shape asks for a bias but none was given");
  Context& ctx = context();
  Cached& entry = lookup(s);
  if (s.precision == Precision::bf16) {
    size_t a_size = static_cast<size_t>(entry.a_op.rows * entry.a_op.cols);
    size_t b_size = static_cast<size_t>(entry.b_op.rows * entry.b_op.cols);
    ensure_size(ctx.a_bf16, a_size);
    ensure_size(ctx.b_bf16, b_size);
    to_bf16_strided(ctx.a_bf16.data(), a, entry.a_op.rows, entry.a_op.cols, entry.a_op.ld);
    to_bf16_strided(ctx.b_bf16.data(), b, entry.b_op.rows, entry.b_op.cols, entry.b_op.ld);
    entry.a.set_data_handle(ctx.a_bf16.data());
    entry.b.set_data_handle(ctx.b_bf16.data());
  } else {
    entry.a.set_data_handle(const_cast<float*>(a));
    entry.b.set_data_handle(const_cast<float*>(b));
  }
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
  s.precision = precision;
  gemm(s, x, w, y, bias);
}

void linear_backward_input(float* dx, const float* dy, const float* w, int64_t rows, int64_t in,
                           int64_t out, bool accumulate, Precision precision) {
  GemmShape s;
  s.m = rows, s.n = in, s.k = out, s.accumulate = accumulate, s.precision = precision;
  gemm(s, dy, w, dx);
}

void linear_backward_weight(float* dw, const float* dy, const float* x, int64_t rows, int64_t in,
                            int64_t out, Precision precision) {
  GemmShape s;
  s.m = out, s.n = in, s.k = rows, s.trans_a = true, s.accumulate = true;
  s.precision = precision;
  gemm(s, dy, x, dw);
}

}  // namespace greenbert
