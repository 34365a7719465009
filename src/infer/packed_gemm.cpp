#include "infer/packed_gemm.h"

#include "core/error.h"
#include "kernels/bf16.h"
#include "tensor/aligned_array.h"

namespace greenbert {

using dnnl::memory;
using DataType = memory::data_type;

const char* gemm_type_name(GemmType type) {
  switch (type) {
    case GemmType::f32:
      return "f32";
    case GemmType::bf16:
      return "bf16";
    case GemmType::u8s8:
      return "u8s8";
    case GemmType::s8s8:
      return "s8s8";
  }
  return "?";
}

size_t activation_bytes(GemmType type) {
  return type == GemmType::f32 ? 4 : type == GemmType::bf16 ? 2 : 1;
}

size_t weight_bytes(GemmType type) {
  return activation_bytes(type);
}

bool integer_gemm(GemmType type) {
  return type == GemmType::u8s8 || type == GemmType::s8s8;
}

bool has_bf16_gemm() {
  static const bool supported = [] {
    const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    const memory::desc a({16, 32}, DataType::bf16, memory::format_tag::ab);
    const memory::desc b({32, 32}, DataType::bf16, memory::format_tag::any);
    const memory::desc c({16, 32}, DataType::f32, memory::format_tag::ab);
    try {
      dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), engine);
      return true;
    } catch (const dnnl::error&) {
      return false;
    }
  }();
  return supported;
}

bool int8_gemm_has_vnni() {
  static const bool vnni = [] {
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    const auto has = [isa](dnnl_cpu_isa_t bits) {
      return (isa & static_cast<unsigned>(bits)) == static_cast<unsigned>(bits);
    };
    return has(dnnl_cpu_isa_avx512_core_vnni) || has(dnnl_cpu_isa_avx2_vnni);
  }();
  return vnni;
}

int32_t u8_activation_max() {
  return int8_gemm_has_vnni() ? 255 : 127;
}

namespace {

DataType src_type(GemmType type) {
  switch (type) {
    case GemmType::f32:
      return DataType::f32;
    case GemmType::bf16:
      return DataType::bf16;
    case GemmType::u8s8:
      return DataType::u8;
    case GemmType::s8s8:
      return DataType::s8;
  }
  return DataType::undef;
}

DataType weight_type(GemmType type) {
  return integer_gemm(type) ? DataType::s8 : src_type(type);
}

DataType dst_type(GemmType type) {
  return integer_gemm(type) ? DataType::s32 : DataType::f32;
}

void check(dnnl_status_t status, const char* what) {
  if (status != dnnl_success) fail("oneDNN: ", what, " failed (status ", int(status), ")");
}

}  // namespace

struct GemmPlan::Variant {
  dnnl::matmul primitive;
  std::vector<memory> src, dst, scratchpad;         // one per thread
  std::vector<AlignedArray<uint8_t>> scratch_data;  // backs `scratchpad`
  std::vector<AlignedArray<float>> widened;         // emulated bf16: A in fp32, per thread
};

GemmPlan::GemmPlan(int64_t n, int64_t k, GemmType type, int64_t max_rows, int threads)
    : n_(n),
      k_(k),
      type_(type),
      max_rows_(padded_rows(max_rows)),
      threads_(threads),
      engine_(dnnl::engine::kind::cpu, 0),
      variants_(static_cast<size_t>(max_rows_ / 16)),
      owned_(static_cast<size_t>(max_rows_ / 16)) {
  if (n <= 0 || k <= 0 || max_rows <= 0 || threads <= 0)
    fail("GemmPlan: bad shape n=", n, " k=", k, " max_rows=", max_rows, " threads=", threads);
  if (type == GemmType::s8s8 && !int8_gemm_has_vnni())
    fail(
        "an s8 × s8 GEMM is not exact on this CPU (its int8 kernels have no VNNI); run s8 "
        "activations as u8");
  for (int t = 0; t < threads; ++t) streams_.emplace_back(engine_);
  // The largest block decides the packed layout; every smaller block is made to accept it.
  auto describe = [&](GemmType as) {
    memory::desc any({k_, n_}, weight_type(as), memory::format_tag::any);
    memory::desc a({max_rows_, k_}, src_type(as), memory::format_tag::ab);
    memory::desc c({max_rows_, n_}, dst_type(as), memory::format_tag::ab);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, any, c), attr, engine_);
  };
  emulated_bf16_ = type_ == GemmType::bf16 && !has_bf16_gemm();
  const dnnl::matmul::primitive_desc pd = describe(emulated_bf16_ ? GemmType::f32 : type_);
  packed_desc_ = pd.weights_desc();
  implementation_ = pd.impl_info_str();
  if (emulated_bf16_) implementation_ += " (bf16 emulated in f32)";
}

GemmPlan::~GemmPlan() = default;

std::unique_ptr<GemmPlan::Variant> GemmPlan::create_variant(int64_t padded) const {
  const GemmType kernel_type = emulated_bf16_ ? GemmType::f32 : type_;
  memory::desc a({padded, k_}, src_type(kernel_type), memory::format_tag::ab);
  memory::desc c({padded, n_}, dst_type(kernel_type), memory::format_tag::ab);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd;
  try {
    pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, packed_desc_, c), attr, engine_);
  } catch (const dnnl::error& e) {
    fail("oneDNN has no ", gemm_type_name(type_), " matmul for ", padded, "×", k_, " · ", k_, "×",
         n_, " with the packed weight layout: ", e.what());
  }
  auto v = std::make_unique<Variant>();
  v->primitive = dnnl::matmul(pd);
  const memory::desc scratch = pd.scratchpad_desc();
  for (int t = 0; t < threads_; ++t) {
    v->src.emplace_back(a, engine_, nullptr);
    v->dst.emplace_back(c, engine_, nullptr);
    v->scratch_data.emplace_back(scratch.get_size());
    v->scratchpad.emplace_back(scratch, engine_, v->scratch_data.back().data());
    if (emulated_bf16_) v->widened.emplace_back(static_cast<size_t>(padded * k_));
  }
  return v;
}

GemmPlan::Variant& GemmPlan::variant(int64_t padded) const {
  if (padded <= 0 || padded > max_rows_)
    fail("GemmPlan: a block of ", padded, " rows exceeds the plan's ", max_rows_);
  std::atomic<Variant*>& slot = variants_[static_cast<size_t>(padded / 16 - 1)];
  Variant* found = slot.load(std::memory_order_acquire);
  if (found != nullptr) return *found;
  std::lock_guard<std::mutex> lock(mutex_);
  found = slot.load(std::memory_order_relaxed);
  if (found == nullptr) {
    auto& owner = owned_[static_cast<size_t>(padded / 16 - 1)];
    owner = create_variant(padded);
    found = owner.get();
    slot.store(found, std::memory_order_release);
  }
  return *found;
}

PackedWeights GemmPlan::pack(const void* weights) const {
  std::vector<float> widened;
  if (emulated_bf16_) {
    const auto* bits = static_cast<const uint16_t*>(weights);
    widened.resize(static_cast<size_t>(n_ * k_));
    for (size_t i = 0; i < widened.size(); ++i) widened[i] = from_bf16(bits[i]);
    weights = widened.data();
  }
  // HF's (N, K) row-major weight is the logical (K, N) matrix with strides (1, K).
  const GemmType kernel_type = emulated_bf16_ ? GemmType::f32 : type_;
  memory::desc plain({k_, n_}, weight_type(kernel_type), memory::format_tag::ba);
  memory source(plain, engine_, const_cast<void*>(weights));
  PackedWeights packed{memory(packed_desc_, engine_)};
  dnnl::stream stream(engine_);
  dnnl::reorder(source, packed.memory).execute(stream, source, packed.memory);
  stream.wait();
  return packed;
}

void GemmPlan::multiply(int thread, const void* a, const PackedWeights& weights, void* c,
                        int64_t rows) const {
  if (rows <= 0) return;
  const int64_t padded = padded_rows(rows);
  Variant& v = variant(padded);
  const size_t t = static_cast<size_t>(thread);
  if (emulated_bf16_) {
    const auto* bits = static_cast<const uint16_t*>(a);
    float* wide = v.widened[t].data();
    for (int64_t i = 0; i < padded * k_; ++i) wide[i] = from_bf16(bits[i]);
    a = wide;
  }
  check(dnnl_memory_set_data_handle(v.src[t].get(), const_cast<void*>(a)), "set_data_handle");
  check(dnnl_memory_set_data_handle(v.dst[t].get(), c), "set_data_handle");
  const dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, v.src[t].get()},
                                  {DNNL_ARG_WEIGHTS, weights.memory.get()},
                                  {DNNL_ARG_DST, v.dst[t].get()},
                                  {DNNL_ARG_SCRATCHPAD, v.scratchpad[t].get()}};
  check(dnnl_primitive_execute(v.primitive.get(), streams_[t].get(), 4, args), "matmul");
}

}  // namespace greenbert
