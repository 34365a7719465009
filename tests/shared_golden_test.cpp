// The engine on real Hugging Face checkpoints: ../shared/models/tiny-bert-safetensors (5
// layers, hidden 32, intermediate 37, 16 token types, HF tensor names) against its golden.json,
// a float64 reference forward pass of the HF BERT architecture made independently of this code;
// and the same model as a PyTorch pytorch_model.bin, loaded through the same model directory
// loader as every command uses.
#include <gtest/gtest.h>

#include <cstring>

#include "core/atomic_file.h"
#include "json_values.h"
#include "model/bert.h"
#include "model/model_directory.h"
#include "numeric.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;

using testing::flatten;

void expect_golden_outputs(const std::filesystem::path& model_dir,
                           const std::filesystem::path& golden_file) {
  LoadModelReport report;
  const ClassifierModel model = load_model(ModelDirectory::open(model_dir), {}, &report);
  EXPECT_TRUE(report.initialized.empty()) << describe(report);
  EXPECT_TRUE(report.unused.empty()) << describe(report);
  const BertConfig& config = model.config;
  const ParameterBuffer& params = model.params;

  const json golden = json::parse(read_file(golden_file));
  const TokenBatch batch = testing::golden_batch(golden);
  const int64_t B = batch.sequences();

  Activations acts(config, {batch.tokens(), B, batch.max_length()});
  std::vector<float> logits(size_t(B * config.num_labels()));
  forward(config, params, batch, {}, acts, logits);

  // The fixture's README: a float32 implementation should match to about 1e-5 absolute.
  EXPECT_TRUE(testing::all_close(logits, flatten(golden["logits"]), 0, 1e-5));
  EXPECT_TRUE(testing::all_close(acts.pooled(), flatten(golden["pooled"]), 0, 1e-5));
  // The packed batch keeps only the unmasked rows of the padded (B, S) hidden states.
  const std::vector<double> hidden = flatten(golden["last_hidden_state"]),
                            mask = flatten(golden["attention_mask"]);
  std::vector<double> kept;
  const auto C = static_cast<size_t>(config.hidden_size);
  for (size_t r = 0; r < mask.size(); ++r)
    if (mask[r] == 1) kept.insert(kept.end(), hidden.begin() + r * C, hidden.begin() + (r + 1) * C);
  EXPECT_TRUE(testing::all_close(acts.last_hidden_state(), kept, 0, 1e-5));
}

TEST(SharedGolden, TinyRandomHfSafetensorsMatchesFloat64Reference) {
  GREENBERT_SHARED_PATH(dir, "models/tiny-bert-safetensors");
  expect_golden_outputs(dir, dir / "golden.json");
}

TEST(SharedGolden, SameModelAsPytorchBinMatchesFloat64Reference) {
  GREENBERT_SHARED_PATH(dir, "models/tiny-random-BertForSequenceClassification");
  GREENBERT_SHARED_PATH(golden, "models/tiny-bert-safetensors/golden.json");
  expect_golden_outputs(dir, golden);
}

}  // namespace
}  // namespace greenbert
