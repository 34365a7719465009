// safetensors writing and reading: round trips, byte compatibility with the reference layout
// (its documented test vectors, the HF fixture, files written by an independent Python
// writer), and the TensorFile API.
#include <gtest/gtest.h>

#include <random>

#include "core/atomic_file.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"
#include "io_test_support.h"

namespace greenbert {
namespace {

using testing::as_bytes;

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

TEST(Safetensors, RoundTripsEveryDTypeEmptyAndScalarTensors) {
  std::vector<std::string> storage;
  std::vector<NamedTensor> tensors;
  uint32_t seed = 1;
  storage.reserve(std::size(kAllDTypes) + 2);
  for (DType dtype : kAllDTypes) {
    std::vector<int64_t> shape = {2, 3};
    storage.push_back(random_bytes(6 * dtype_size(dtype), seed++));
    tensors.push_back({cat("t.", dtype_name(dtype)), {dtype, shape, as_bytes(storage.back())}});
  }
  storage.emplace_back();
  tensors.push_back({"empty", {DType::F32, {0, 3}, as_bytes(storage.back())}});
  storage.push_back(testing::floats({3.5f}));
  tensors.push_back({"scalar", {DType::F32, {}, as_bytes(storage.back())}});
  std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "quote \" and é"}};

  auto path = testing::temp_dir("safetensors-roundtrip") / "model.safetensors";
  write_safetensors(path, tensors, metadata);
  auto file = TensorFile::open(path);
  EXPECT_EQ(file.format(), "safetensors");
  EXPECT_EQ(file.metadata(), metadata);
  testing::expect_same_tensors(file.tensors(), tensors);
  for (const auto& tensor : file.tensors()) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(tensor.view.bytes.data()) % dtype_size(tensor.view.dtype),
              0u)
        << tensor.name << " is not aligned to its element size";
  }
  // Reference order: widest alignment first (I64 before F64 before F32...), then by name.
  auto names = file.names();
  ASSERT_EQ(names.size(), tensors.size());
  EXPECT_EQ(names[0], "t.I64");
  EXPECT_EQ(names[1], "t.F64");
  EXPECT_EQ(names[2], "empty");
  EXPECT_EQ(names[3], "scalar");
  EXPECT_EQ(names.back(), "t.BOOL");
}

// The reference implementation's own serialization test vectors (safetensors/src/tensor.rs).
TEST(Safetensors, MatchesReferenceTestVectors) {
  auto dir = testing::temp_dir("safetensors-vectors");
  write_safetensors(dir / "empty.safetensors", {});
  EXPECT_EQ(read_file(dir / "empty.safetensors"), std::string("\x08\0\0\0\0\0\0\0{}      ", 16));

  write_safetensors(dir / "meta.safetensors", {}, {{"framework", "pt"}});
  EXPECT_EQ(
      read_file(dir / "meta.safetensors"),
      std::string("\x28\0\0\0\0\0\0\0", 8) + "{\"__metadata__\":{\"framework\":\"pt\"}}     ");

  std::string data = testing::floats({0, 1, 2, 3, 4, 5});
  std::vector<NamedTensor> tensors = {{"attn.0", {DType::F32, {1, 2, 3}, as_bytes(data)}}};
  write_safetensors(dir / "attn.safetensors", tensors);
  std::string header = R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
  ASSERT_EQ(header.size(), 64u);  // already a multiple of 8: no padding
  EXPECT_EQ(read_file(dir / "attn.safetensors"), testing::le_bytes<uint64_t>(64) + header + data);

  tensors = {{"attn0", {DType::F32, {1, 1, 2, 3}, as_bytes(data)}}};
  write_safetensors(dir / "attn0.safetensors", tensors);
  header = R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})";
  EXPECT_EQ(read_file(dir / "attn0.safetensors"),
            testing::le_bytes<uint64_t>(72) + header + "       " + data);
}

void expect_rewrite_is_identical(const std::filesystem::path& original) {
  auto file = TensorFile::open(original);
  auto copy = testing::temp_dir("safetensors-rewrite") / original.filename();
  write_safetensors(copy, file.tensors(), file.metadata());
  EXPECT_EQ(read_file(copy), read_file(original)) << original;
}

// The fixture's writer ordered tensors by name only (its I64 buffer sits among the F32s), so
// our reference-ordered copy differs in layout but must hold the same bits in a same-size file.
TEST(Safetensors, RewritingTheHuggingFaceFixtureReadsBackBitExactly) {
  GREENBERT_SHARED_PATH(path, "models/tiny-bert-safetensors/model.safetensors");
  auto file = TensorFile::open(path);
  auto copy = testing::temp_dir("safetensors-hf-rewrite") / "model.safetensors";
  write_safetensors(copy, file.tensors(), file.metadata());
  testing::expect_same_tensors(TensorFile::open(copy).tensors(), file.tensors());
  EXPECT_EQ(std::filesystem::file_size(copy), std::filesystem::file_size(path));
}

TEST(Safetensors, RewritingFilesOfAnIndependentWriterIsByteIdentical) {
  expect_rewrite_is_identical(testing::io_data("views.safetensors"));
  expect_rewrite_is_identical(testing::io_data("conversions.safetensors"));
}

TEST(Safetensors, WriterRejectsBadTensorsAndLeavesNoFile) {
  auto dir = testing::temp_dir("safetensors-writer");
  std::string data = testing::floats({1, 2});
  auto expect_rejected = [&](std::vector<NamedTensor> tensors, const std::string& reason) {
    try {
      write_safetensors(dir / "out.safetensors", tensors);
      ADD_FAILURE() << "accepted: " << reason;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("out.safetensors: tensor "), std::string::npos)
          << e.what();
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir));
  };
  TensorView two{DType::F32, {2}, as_bytes(data)};
  expect_rejected({{"a", two}, {"a", two}}, "duplicate name");
  expect_rejected({{"a", {DType::F32, {3}, as_bytes(data)}}}, "8 bytes for shape [3] of F32");
  expect_rejected({{"a", {DType::F32, {-1}, as_bytes(data)}}}, "invalid shape");
  expect_rejected({{"__metadata__", two}}, "reserved");
  expect_rejected({{"bad\xff", two}}, "not valid UTF-8");
}

TEST(Safetensors, WriteReplacesAtomically) {
  auto dir = testing::temp_dir("safetensors-atomic");
  std::string first = testing::floats({1}), second = testing::floats({2, 3});
  write_safetensors(dir / "m.safetensors",
                    std::vector<NamedTensor>{{"w", {DType::F32, {1}, as_bytes(first)}}});
  write_safetensors(dir / "m.safetensors",
                    std::vector<NamedTensor>{{"w", {DType::F32, {2}, as_bytes(second)}}});
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
  EXPECT_EQ(TensorFile::open(dir / "m.safetensors").at("w").shape, (std::vector<int64_t>{2}));
}

TEST(TensorFile, LooksUpByNameAndNamesTheFileInErrors) {
  GREENBERT_SHARED_PATH(path, "models/tiny-bert-safetensors/model.safetensors");
  auto file = TensorFile::open(path);
  EXPECT_EQ(file.tensors().size(), 90u);
  EXPECT_TRUE(file.contains("classifier.weight"));
  EXPECT_FALSE(file.contains("classifier"));
  EXPECT_EQ(file.at("classifier.weight").shape, (std::vector<int64_t>{2, 32}));
  EXPECT_TRUE(file.metadata().empty());
  try {
    file.at("no.such.tensor");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": tensor no.such.tensor: not found");
  }
  TensorFile moved = std::move(file);  // views stay valid: they point into the mapping
  auto values = to_float32(moved.at("classifier.weight"));
  EXPECT_EQ(values.size(), 64u);
}

TEST(TensorFile, RejectsMissingEmptyAndNonRegularFiles) {
  auto dir = testing::temp_dir("tensorfile-open");
  auto expect_error = [](const std::filesystem::path& path, const std::string& reason) {
    try {
      TensorFile::open(path);
      ADD_FAILURE() << "opened " << path;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
    }
  };
  expect_error(dir / "missing.safetensors", "cannot open");
  expect_error(dir, "not a regular file");
  write_file_atomically(dir / "empty.bin", "");
  expect_error(dir / "empty.bin", "not a checkpoint");
  write_file_atomically(dir / "text.safetensors", "hello, I am not a model at all");
  expect_error(dir / "text.safetensors", "not a checkpoint");
}

}  // namespace
}  // namespace greenbert
