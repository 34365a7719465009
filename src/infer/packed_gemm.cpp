#include "infer/packed_gemm.h"

#include "core/error.h"
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
  for (int t = 0; t < threads; ++t) streams_.emplace_back(engine_);
  // The largest block decides the packed layout; every smaller block is made to accept it.
  memory::desc any({k_, n_}, weight_type(type_), memory::format_tag::any);
  memory::desc a({max_rows_, k_}, src_type(type_), memory::format_tag::ab);
  memory::desc c({max_rows_, n_}, dst_type(type_), memory::format_tag::ab);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, any, c), attr, engine_);
  packed_desc_ = pd.weights_desc();
  implementation_ = pd.impl_info_str();
}

GemmPlan::~GemmPlan() = default;

std::unique_ptr<GemmPlan::Variant> GemmPlan::create_variant(int64_t padded) const {
  memory::desc a({padded, k_}, src_type(type_), memory::format_tag::ab);
  memory::desc c({padded, n_}, dst_type(type_), memory::format_tag::ab);
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
  // HF's (N, K) row-major weight is the logical (K, N) matrix with strides (1, K).
  memory::desc plain({k_, n_}, weight_type(type_), memory::format_tag::ba);
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
  Variant& v = variant(padded_rows(rows));
  const size_t t = static_cast<size_t>(thread);
  check(dnnl_memory_set_data_handle(v.src[t].get(), const_cast<void*>(a)), "set_data_handle");
  check(dnnl_memory_set_data_handle(v.dst[t].get(), c), "set_data_handle");
  const dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, v.src[t].get()},
                                  {DNNL_ARG_WEIGHTS, weights.memory.get()},
                                  {DNNL_ARG_DST, v.dst[t].get()},
                                  {DNNL_ARG_SCRATCHPAD, v.scratchpad[t].get()}};
  check(dnnl_primitive_execute(v.primitive.get(), streams_[t].get(), 4, args), "matmul");
}

}  // namespace greenbert
