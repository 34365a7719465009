// PyTorch checkpoints: the Hugging Face fixtures (ZIP and legacy), views of shared storages in
// every dtype (ZIP, legacy, big-endian) against the values torch itself exported, and the
// classic malicious pickle.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "core/atomic_file.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"
#include "io_test_support.h"

namespace greenbert {
namespace {

TEST(TorchCheckpoint, HuggingFaceZipMatchesItsSafetensorsConversionBitForBit) {
  GREENBERT_SHARED_PATH(bin, "models/tiny-random-BertForSequenceClassification/pytorch_model.bin");
  GREENBERT_SHARED_PATH(safetensors, "models/tiny-bert-safetensors/model.safetensors");
  auto torch = TensorFile::open(bin);
  auto reference = TensorFile::open(safetensors);
  EXPECT_EQ(torch.format(), "pytorch-zip");
  testing::expect_same_tensors(torch.tensors(), reference.tensors());
  int64_t values = 0;
  for (const auto& tensor : torch.tensors()) values += tensor.view.numel();
  EXPECT_EQ(values, 88507);
  // State_dict order, and the int64 buffer read as int64.
  EXPECT_EQ(torch.names().front(), "bert.embeddings.position_ids");
  const auto& ids = torch.at("bert.embeddings.position_ids");
  ASSERT_EQ(ids.dtype, DType::I64);
  ASSERT_EQ(ids.shape, (std::vector<int64_t>{1, 512}));
  std::vector<int64_t> positions(512);
  std::memcpy(positions.data(), ids.bytes.data(), ids.bytes.size());
  std::vector<int64_t> expected(512);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(positions, expected);
}

TEST(TorchCheckpoint, ReadsTheCamphrZipCheckpoint) {
  GREENBERT_SHARED_PATH(bin, "models/camphr-ner-bert/pytorch_model.bin");
  auto file = TensorFile::open(bin);
  EXPECT_EQ(file.tensors().size(), 24u);
  EXPECT_EQ(file.at("classifier.weight").shape, (std::vector<int64_t>{9, 16}));
  EXPECT_EQ(file.at("bert.embeddings.word_embeddings.weight").shape,
            (std::vector<int64_t>{402, 16}));
  EXPECT_FALSE(file.contains("bert.pooler.dense.weight"));
}

TEST(TorchCheckpoint, ReadsTheLegacyCamphrCheckpoint) {
  GREENBERT_SHARED_PATH(bin, "models/camphr-bert-test/pytorch_model.bin");
  auto file = TensorFile::open(bin);
  EXPECT_EQ(file.format(), "pytorch-legacy");
  EXPECT_EQ(file.tensors().size(), 39u);
  EXPECT_EQ(file.names().front(), "embeddings.word_embeddings.weight");
  EXPECT_EQ(file.at("embeddings.word_embeddings.weight").shape, (std::vector<int64_t>{1000, 2}));
  EXPECT_EQ(file.at("encoder.layer.1.intermediate.dense.weight").shape,
            (std::vector<int64_t>{8, 2}));
  for (const auto& tensor : file.tensors()) {
    ASSERT_EQ(tensor.view.dtype, DType::F32) << tensor.name;
    for (float v : to_float32(tensor.view)) ASSERT_TRUE(std::isfinite(v)) << tensor.name;
  }
}

// views*.pt hold transposed, sliced, expanded, permuted tensors over shared storages in every
// dtype; views.safetensors holds the dense values torch produced for them.
class TorchViews : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchViews, MatchTheDenseValuesTorchExported) {
  auto file = TensorFile::open(testing::io_data(GetParam()));
  auto expected = TensorFile::open(testing::io_data("views.safetensors"));
  testing::expect_same_tensors(file.tensors(), expected.tensors());
  EXPECT_EQ(file.names().front(), "f32.base");  // state_dict order
  EXPECT_EQ(file.at("empty").shape, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(file.at("scalar").shape.empty());
  EXPECT_EQ(to_float32(file.at("scalar")), std::vector<float>{3.5f});
  // Independent of python: the transposed view is the transpose of its base.
  auto base = to_float32(file.at("f32.base"));              // (3, 4)
  auto transposed = to_float32(file.at("f32.transposed"));  // (4, 3)
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) EXPECT_EQ(transposed[j * 3 + i], base[i * 4 + j]);
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, TorchViews,
                         ::testing::Values("views.pt", "views_legacy.pt", "views_big_endian.pt"));

TEST(TorchCheckpoint, ContiguousTensorsAreNotCopied) {
  std::string bytes = read_file(testing::io_data("views.pt"));
  auto set = read_tensor_set(testing::as_bytes(bytes), "views.pt");
  auto inside = [&](const TensorView& view) {
    return view.bytes.data() >= reinterpret_cast<const std::byte*>(bytes.data()) &&
           view.bytes.data() < reinterpret_cast<const std::byte*>(bytes.data() + bytes.size());
  };
  for (const auto& tensor : set.tensors) {
    if (tensor.name == "f32.base" || tensor.name == "f32.rows_slice" || tensor.name == "i32") {
      EXPECT_TRUE(inside(tensor.view)) << tensor.name << " was copied";
    }
    if (tensor.name == "f32.transposed" || tensor.name == "f32.expanded") {
      EXPECT_FALSE(inside(tensor.view)) << tensor.name << " is strided and must be copied";
    }
  }
}

TEST(TorchCheckpoint, MaliciousPickleIsRejectedNotExecuted) {
  const std::filesystem::path marker = "/tmp/greenbert-pwned-by-pickle";
  std::filesystem::remove(marker);
  auto path = testing::io_data("malicious.pt");
  try {
    TensorFile::open(path);
    FAIL() << "the malicious checkpoint was accepted";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    EXPECT_NE(message.find("forbidden global 'posix.system'"), std::string::npos) << message;
  }
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST(InspectCli, ListsTensorsAndTotals) {
  GREENBERT_SHARED_PATH(bin, "models/tiny-random-BertForSequenceClassification/pytorch_model.bin");
  auto result = testing::run_cli("inspect " + bin.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("format    pytorch-zip"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("bert.embeddings.position_ids"), std::string::npos);
  EXPECT_NE(result.out.find("I64    [1, 512]"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("total     90 tensors, 88,507 values, 356,076 bytes"),
            std::string::npos)
      << result.out;
}

TEST(InspectCli, ShowsMetadataAndReportsBadFiles) {
  auto dir = testing::temp_dir("inspect-cli");
  std::string data = testing::floats({1, 2});
  write_safetensors(dir / "m.safetensors",
                    std::vector<NamedTensor>{{"w", {DType::F32, {2}, testing::as_bytes(data)}}},
                    {{"format", "pt"}});
  auto ok = testing::run_cli("inspect " + (dir / "m.safetensors").string());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("metadata  format = pt"), std::string::npos) << ok.out;

  auto bad = testing::run_cli("inspect " + testing::io_data("malicious.pt").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("greenbert: error: "), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("malicious.pt"), std::string::npos) << bad.err;
  EXPECT_EQ(testing::run_cli("inspect").exit_code == 0, false);
}

}  // namespace
}  // namespace greenbert
