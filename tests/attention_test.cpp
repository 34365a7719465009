// Packed multi-head attention against a naive per-(sequence, head) reference in double, with
// and without dropout on the probabilities; backward against finite differences.
#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>

#include "kernels/attention.h"
#include "numeric.h"

namespace greenbert {
namespace {

using testing::all_close;
using testing::gradient_close;
using testing::numeric_gradient;
using testing::random_floats;
using testing::to_double;

// ctx (T, C) from qkv (T, 3C); probs dropout draws element (offset of sequence + h·L² + i·L + j).
std::vector<double> attention_ref(const std::vector<double>& qkv,
                                  const std::vector<int32_t>& seq_start, int64_t heads, int64_t D,
                                  const DropoutMask& mask) {
  const int64_t C = heads * D, T = seq_start.back();
  std::vector<double> ctx(T * C, 0.0);
  int64_t offset = 0;
  for (size_t s = 0; s + 1 < seq_start.size(); ++s) {
    const int64_t first = seq_start[s], L = seq_start[s + 1] - first;
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < L; ++i) {
        std::vector<double> p(L);
        double m = -1e300, sum = 0;
        for (int64_t j = 0; j < L; ++j) {
          double dotp = 0;
          for (int64_t d = 0; d < D; ++d)
            dotp += qkv[(first + i) * 3 * C + h * D + d] * qkv[(first + j) * 3 * C + C + h * D + d];
          p[j] = dotp / std::sqrt(double(D));
          m = std::max(m, p[j]);
        }
        for (int64_t j = 0; j < L; ++j) sum += (p[j] = std::exp(p[j] - m));
        for (int64_t j = 0; j < L; ++j) {
          double w = p[j] / sum * mask.factor(uint64_t(offset + h * L * L + i * L + j));
          for (int64_t d = 0; d < D; ++d)
            ctx[(first + i) * C + h * D + d] += w * qkv[(first + j) * 3 * C + 2 * C + h * D + d];
        }
      }
    offset += heads * L * L;
  }
  return ctx;
}

void check_attention(const DropoutMask& mask) {
  const int64_t heads = 3, D = 4, C = heads * D;
  const std::vector<int32_t> seq_start = {0, 5, 6, 13};
  const int64_t T = seq_start.back(), B = 3, max_len = 7;
  auto qkv = random_floats(T * 3 * C, 21, -1.5f, 1.5f);
  auto dctx = random_floats(T * C, 22);
  const int64_t probs_size = attention_probs_size(seq_start.data(), B, heads);
  ASSERT_EQ(probs_size, heads * (25 + 1 + 49));
  std::vector<float> ctx(T * C), probs(probs_size),
      work(attention_workspace_size(max_len, omp_get_max_threads())), dqkv(T * 3 * C, 99.0f);
  attention_forward(ctx.data(), probs.data(), work.data(), qkv.data(), seq_start.data(), B,
                    {heads, D}, mask, max_len);
  auto qd = to_double(qkv);
  EXPECT_TRUE(all_close(ctx, attention_ref(qd, seq_start, heads, D, mask), 1e-5, 1e-6));

  attention_backward(dqkv.data(), work.data(), dctx.data(), qkv.data(), probs.data(),
                     seq_start.data(), B, {heads, D}, mask, max_len);
  auto loss = [&](const std::vector<double>& v) {
    auto out = attention_ref(v, seq_start, heads, D, mask);
    double s = 0;
    for (size_t i = 0; i < out.size(); ++i) s += out[i] * dctx[i];
    return s;
  };
  EXPECT_TRUE(gradient_close(dqkv, numeric_gradient(loss, qd)));
}

TEST(Attention, PackedSequencesMatchReferenceWithoutDropout) {
  check_attention(DropoutMask());
}

TEST(Attention, PackedSequencesMatchReferenceWithDropout) {
  check_attention(DropoutMask(123, 4, 0.3f));
}

}  // namespace
}  // namespace greenbert
