// The engine on a real Hugging Face checkpoint: ../shared/models/tiny-bert-safetensors (5
// layers, hidden 32, intermediate 37, 16 token types, HF tensor names) against its golden.json,
// a float64 reference forward pass of the HF BERT architecture made independently of this code.
//
// The safetensors parsing below is a minimal F32-only stand-in for the io module's reader,
// kept here so that this check does not depend on it.
#include <gtest/gtest.h>

#include <cstring>

#include "core/atomic_file.h"
#include "model/bert.h"
#include "model/names.h"
#include "numeric.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;

// Loads every F32 tensor that maps to a model parameter; returns how many were loaded.
size_t load_safetensors(const std::filesystem::path& path, const BertConfig& config,
                        ParameterBuffer& params) {
  const std::string bytes = read_file(path);
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), sizeof header_size);
  const json header = json::parse(bytes.substr(8, header_size));
  const char* data = bytes.data() + 8 + header_size;
  size_t loaded = 0;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__" || is_ignored_checkpoint_tensor(name, config.model_type)) continue;
    auto canonical = canonical_name(name, config.model_type);
    if (!canonical) ADD_FAILURE() << "unexpected tensor " << name;
    if (!canonical) continue;
    const ParameterTensor& t = params.layout().at(*canonical);
    EXPECT_EQ(info["dtype"], "F32") << name;
    EXPECT_EQ(info["shape"].get<std::vector<int64_t>>(), t.shape) << name;
    const size_t begin = info["data_offsets"][0], end = info["data_offsets"][1];
    EXPECT_EQ(end - begin, size_t(t.size) * sizeof(float)) << name;
    std::memcpy(params.view(t).data(), data + begin, size_t(t.size) * sizeof(float));
    ++loaded;
  }
  return loaded;
}

std::vector<double> flatten(const json& nested) {
  std::vector<double> out;
  for (const auto& v : nested) {
    if (!v.is_array()) {
      out.push_back(v.get<double>());
      continue;
    }
    auto inner = flatten(v);
    out.insert(out.end(), inner.begin(), inner.end());
  }
  return out;
}

TEST(SharedGolden, TinyRandomHfCheckpointMatchesFloat64Reference) {
  GREENBERT_SHARED_PATH(dir, "models/tiny-bert-safetensors");
  const BertConfig config = load_config(dir / "config.json");
  ParameterBuffer params = make_parameters(config);
  EXPECT_EQ(load_safetensors(dir / "model.safetensors", config, params),
            params.layout().tensors().size());

  const json golden = json::parse(read_file(dir / "golden.json"));
  std::vector<int32_t> ids, mask, types;
  for (const auto& row : golden["input_ids"]) ids.insert(ids.end(), row.begin(), row.end());
  for (const auto& row : golden["attention_mask"]) mask.insert(mask.end(), row.begin(), row.end());
  for (const auto& row : golden["token_type_ids"])
    types.insert(types.end(), row.begin(), row.end());
  const int64_t B = int64_t(golden["input_ids"].size()), S = int64_t(golden["input_ids"][0].size());
  const TokenBatch batch = pack_padded(ids, mask, types, B, S);

  Activations acts(config, {batch.tokens(), B, batch.max_length()});
  std::vector<float> logits(size_t(B * config.num_labels()));
  forward(config, params, batch, {}, acts, logits);

  // The fixture's README: a float32 implementation should match to about 1e-5 absolute.
  EXPECT_TRUE(testing::all_close(logits, flatten(golden["logits"]), 0, 1e-5));
  EXPECT_TRUE(testing::all_close(acts.pooled(), flatten(golden["pooled"]), 0, 1e-5));
  std::vector<double> hidden = flatten(golden["last_hidden_state"]), kept;
  const int64_t C = config.hidden_size;
  for (int64_t r = 0; r < B * S; ++r)
    if (mask[size_t(r)] == 1)
      kept.insert(kept.end(), hidden.begin() + r * C, hidden.begin() + (r + 1) * C);
  EXPECT_TRUE(testing::all_close(acts.last_hidden_state(), kept, 0, 1e-5));
}

}  // namespace
}  // namespace greenbert
