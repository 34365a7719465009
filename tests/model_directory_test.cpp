// ModelDirectory: directories written before the precision vocabulary was unified still open and
// predict exactly as before, and hostile directories are refused at open with an error that
// names the file and the field or tensor (issue 10: non-finite weights and scales, a config whose
// sizes the weights file does not justify, integers that do not fit their type), by the library
// and by every command with a non-zero exit.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/error.h"
#include "infer/model_quantizer.h"
#include "infer/session.h"
#include "io/safetensors.h"
#include "model/model_directory.h"
#include "model_dir_support.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;

const std::filesystem::path& v1_models() {
  static const auto dir = testing::source_dir() / "tests/data/models/v1";
  return dir;
}

TEST(ModelDirectory, VersionOneDirectoriesOpenWithTheirOldSpelling) {
  const ModelDirectory fp32 = ModelDirectory::open(v1_models() / "fp32");
  ASSERT_TRUE(fp32.weights);
  EXPECT_EQ(fp32.weights->header.version, 1);
  EXPECT_EQ(fp32.weights->precision(), Precision::fp32);  // its metadata says "f32"
  EXPECT_EQ(fp32.run_config.at("precision"), "f32");
  for (const auto& [name, precision] : {std::pair{"int8", Precision::int8},
                                        {"int8-static", Precision::int8},
                                        {"bf16", Precision::bf16}}) {
    const ModelDirectory dir = ModelDirectory::open(v1_models() / name);
    EXPECT_EQ(dir.require_weights().precision(), precision) << name;
    EXPECT_EQ(dir.require_weights().header.version, 1) << name;
  }
  EXPECT_TRUE(
      ModelDirectory::open(v1_models() / "int8-static").weights->tensors.static_activations);
}

// predict of today on the directories 1d396b3 wrote prints, byte for byte, what 1d396b3 printed.
TEST(ModelDirectory, VersionOneDirectoriesPredictAsTheyDid) {
  for (const char* name : {"fp32", "int8", "int8-static", "bf16"}) {
    const auto result =
        testing::run_cli(cat("predict --model ", v1_models() / name, " --input ",
                             v1_models() / "texts.txt", " --output-logits --threads 1"));
    ASSERT_EQ(result.exit_code, 0) << name << ": " << result.err;
    EXPECT_EQ(result.out, read_file(v1_models() / (std::string(name) + ".predict.jsonl"))) << name;
  }
}

// Quantizing an old fp32 directory writes today's layout, which reads back as version 2.
TEST(ModelDirectory, QuantizingAVersionOneDirectoryWritesVersionTwo) {
  const auto out = testing::temp_dir("model-directory-requantized");
  QuantizeOptions options;
  quantize_model(ModelDirectory::open(v1_models() / "fp32"), out, options);
  const ModelDirectory dir = ModelDirectory::open(out);
  EXPECT_EQ(dir.require_weights().header.version, 2);
  EXPECT_EQ(TensorFile::open(out / "model.safetensors").metadata().at("greenbert_precision"),
            "int8");
  // The run's options go along (eval and predict take their defaults from them).
  EXPECT_EQ(dir.run_config, ModelDirectory::open(v1_models() / "fp32").run_config);
}

// The finiteness check of every floating dtype, across the scan's blocks: the largest finite
// values, subnormals and -0 pass; an Inf or NaN anywhere is found, by index.
TEST(ModelDirectory, FinitenessCheckKnowsEveryFloatingDtype) {
  auto error_for = [](DType dtype, std::vector<std::byte> bytes, int64_t count) {
    std::map<std::string, TensorView, std::less<>> tensors;
    tensors["bert.pooler.dense.bias"] = {dtype, {count}, bytes};
    try {
      require_finite(tensors, ModelType::bert, "f");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  const int64_t n = 10'000;
  std::vector<float> f32(n, std::numeric_limits<float>::max());
  f32[1] = std::numeric_limits<float>::denorm_min();
  f32[2] = -0.0f;
  auto bytes_of = [](const auto& values) {
    const auto view = std::as_bytes(std::span(values));
    return std::vector<std::byte>(view.begin(), view.end());
  };
  EXPECT_EQ(error_for(DType::F32, bytes_of(f32), n), "");
  f32[4097] = -std::numeric_limits<float>::infinity();
  EXPECT_NE(error_for(DType::F32, bytes_of(f32), n).find("value -inf at index 4097"),
            std::string::npos);
  std::vector<double> f64(n, std::numeric_limits<double>::max());
  EXPECT_EQ(error_for(DType::F64, bytes_of(f64), n), "");
  f64[n - 1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(error_for(DType::F64, bytes_of(f64), n).find("at index 9999"), std::string::npos);
  std::vector<uint16_t> f16(n, 0x7bff), bf16(n, 0x7f7f);  // the largest finite of each
  EXPECT_EQ(error_for(DType::F16, bytes_of(f16), n), "");
  EXPECT_EQ(error_for(DType::BF16, bytes_of(bf16), n), "");
  f16[8191] = 0x7c00;   // +inf
  bf16[8192] = 0xffc1;  // a NaN
  EXPECT_NE(error_for(DType::F16, bytes_of(f16), n).find("inf at index 8191"), std::string::npos);
  EXPECT_NE(error_for(DType::BF16, bytes_of(bf16), n).find("nan at index 8192"), std::string::npos);
}

// ---- Hostile directories ----------------------------------------------------------------------

using testing::tiny_config;
using testing::tiny_tokenizer;

// A valid fp32 directory, or its int8 copy with static activation scales.
std::filesystem::path valid_dir(const std::string& name, std::optional<Precision> quantized) {
  const auto fp32 = testing::temp_dir("hostile-" + name + "-fp32");
  save_model(fp32, new_model(tiny_config(), tiny_tokenizer(), 7));
  if (!quantized) return fp32;
  const auto out = testing::temp_dir("hostile-" + name);
  QuantizeOptions options;
  options.precision = *quantized;
  if (*quantized == Precision::int8) options.calibration_texts = {"the models", "energy ."};
  quantize_model(ModelDirectory::open(fp32), out, options);
  return out;
}

// Rewrites model.safetensors (its metadata kept) after `change` edits copies of its tensors.
using Tensors = std::map<std::string, std::pair<TensorView, std::vector<std::byte>>>;
void rewrite_weights(const std::filesystem::path& dir,
                     const std::function<void(Tensors&)>& change) {
  const TensorFile file = TensorFile::open(dir / "model.safetensors");
  Tensors tensors;
  for (const NamedTensor& t : file.tensors())
    tensors[t.name] = {t.view, std::vector<std::byte>(t.view.bytes.begin(), t.view.bytes.end())};
  change(tensors);
  std::vector<NamedTensor> named;
  for (auto& [name, tensor] : tensors)
    named.push_back({name, {tensor.first.dtype, tensor.first.shape, tensor.second}});
  const auto metadata = file.metadata();
  write_safetensors(dir / "model.safetensors.new", named, metadata);
  std::filesystem::rename(dir / "model.safetensors.new", dir / "model.safetensors");
}

std::function<void(Tensors&)> set_f32(const std::string& name, size_t index, float value) {
  return [=](Tensors& t) { std::memcpy(t.at(name).second.data() + index * 4, &value, 4); };
}

// Edits config.json (or another JSON file of the directory) as text.
void edit_json(const std::filesystem::path& file, const std::function<void(json&)>& change) {
  json j = json::parse(read_file(file));
  change(j);
  write_file_atomically(file, j.dump(2));
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
const std::string kQuery = "bert.encoder.layer.0.attention.self.query";

struct HostileCase {
  std::string name;
  std::optional<Precision> start;  // the valid directory to break: fp32, or quantized
  std::function<void(const std::filesystem::path&)> damage;
  std::string message;  // what the error must say
};

std::vector<HostileCase> hostile_cases() {
  auto weights = [](std::function<void(Tensors&)> change) {
    return [change](const std::filesystem::path& dir) { rewrite_weights(dir, change); };
  };
  auto config = [](std::function<void(json&)> change) {
    return [change](const std::filesystem::path& dir) { edit_json(dir / "config.json", change); };
  };
  const std::string words = "bert.embeddings.word_embeddings.weight";
  return {
      // Non-finite weights, whatever the tensor.
      {"nan-word-embedding", std::nullopt, weights(set_f32(words, 5, kNaN)),
       "tensor " + words + ": value nan at index 5 is not finite"},
      {"nan-layernorm", std::nullopt,
       weights(set_f32("bert.encoder.layer.1.output.LayerNorm.weight", 0, kNaN)),
       "output.LayerNorm.weight: value nan at index 0 is not finite"},
      {"inf-classifier", std::nullopt, weights(set_f32("classifier.weight", 7, kInf)),
       "classifier.weight: value inf at index 7 is not finite"},
      {"nan-in-hf-checkpoint", std::nullopt,
       [](const std::filesystem::path& dir) {
         // Without greenbert's metadata: a Hugging Face checkpoint, checked the same way.
         const TensorFile file = TensorFile::open(dir / "model.safetensors");
         std::vector<NamedTensor> named(file.tensors().begin(), file.tensors().end());
         std::vector<float> bad(8 * 8, 0.0f);
         bad[3] = -kInf;
         for (auto& t : named)
           if (t.name == "bert.pooler.dense.weight")
             t.view.bytes = std::as_bytes(std::span<const float>(bad));
         write_safetensors(dir / "hf.safetensors", named, {{"format", "pt"}});
         std::filesystem::rename(dir / "hf.safetensors", dir / "model.safetensors");
       },
       "bert.pooler.dense.weight: value -inf at index 3 is not finite"},
      {"bf16-nan", Precision::bf16, weights([](Tensors& t) {
         const uint16_t nan = 0x7fc0;
         std::memcpy(t.at(kQuery + ".weight").second.data() + 2, &nan, 2);
       }),
       kQuery + ".weight: value nan at index 1 is not finite"},
      // int8 scales: positive and finite; zero points integers in 0..255.
      {"nan-weight-scale", Precision::int8, weights(set_f32(kQuery + ".weight_scale", 1, kNaN)),
       kQuery + ".weight_scale: value nan at index 1 is not finite"},
      {"negative-weight-scale", Precision::int8,
       weights(set_f32(kQuery + ".weight_scale", 2, -0.5f)),
       kQuery + ".weight_scale: value -0.5 at index 2 is not a scale (> 0)"},
      {"zero-weight-scale", Precision::int8, weights(set_f32(kQuery + ".weight_scale", 0, 0.0f)),
       kQuery + ".weight_scale: value 0 at index 0 is not a scale (> 0)"},
      {"inf-weight-scale", Precision::int8, weights(set_f32(kQuery + ".weight_scale", 0, kInf)),
       kQuery + ".weight_scale: value inf at index 0 is not finite"},
      {"negative-input-scale", Precision::int8, weights(set_f32(kQuery + ".input_scale", 0, -1.0f)),
       kQuery + ".input_scale: value -1 is not a scale (> 0)"},
      {"zero-point-out-of-range", Precision::int8,
       weights(set_f32(kQuery + ".input_zero_point", 0, 300.0f)),
       kQuery + ".input_zero_point: value 300 is not a zero point"},
      {"newer-weights-version", Precision::int8,
       [](const std::filesystem::path& dir) {
         const TensorFile file = TensorFile::open(dir / "model.safetensors");
         auto metadata = file.metadata();
         metadata["greenbert_version"] = "3";
         std::vector<NamedTensor> named(file.tensors().begin(), file.tensors().end());
         write_safetensors(dir / "new.safetensors", named, metadata);
         std::filesystem::rename(dir / "new.safetensors", dir / "model.safetensors");
       },
       "greenbert_version is '3': this greenbert reads versions 1 and 2"},
      // Sizes the weights file does not justify: refused before anything is allocated for them.
      {"config-larger-than-weights", std::nullopt, config([](json& j) {
         j["vocab_size"] = 4'000'000;
         j["hidden_size"] = 4096;
         j["num_attention_heads"] = 64;
       }),
       "word_embeddings.weight: shape [16, 8] but config.json needs [4000000, 4096]"},
      {"more-layers-than-weights", std::nullopt,
       config([](json& j) { j["num_hidden_layers"] = 900; }),
       "bert.encoder.layer.2.attention.self.query.weight is missing"},
      // Integers that do not fit the type they are stored in.
      {"pad-token-2^32", std::nullopt,
       config([](json& j) { j["pad_token_id"] = uint64_t{1} << 32; }),
       "config.json: 'pad_token_id' is 4294967296, outside -2147483648..2147483647"},
      {"pad-token-2^32+5", std::nullopt,
       config([](json& j) { j["pad_token_id"] = (uint64_t{1} << 32) + 5; }),
       "config.json: 'pad_token_id' is 4294967301, outside"},
      {"vocab-size-2^64-1", std::nullopt,
       config([](json& j) { j["vocab_size"] = std::numeric_limits<uint64_t>::max(); }),
       "config.json: 'vocab_size' is 18446744073709551615, outside"},
      {"hidden-size-1e30", std::nullopt, config([](json& j) { j["hidden_size"] = 1e30; }),
       "config.json: 'hidden_size' is 1e+30, outside"},
      {"num-labels-fraction", std::nullopt, config([](json& j) {
         j.erase("id2label");
         j.erase("label2id");
         j["num_labels"] = 2.5;
       }),
       "config.json: 'num_labels' must be an integer, got 2.5"},
      {"thresholds-version-2^32+1", std::nullopt,
       [](const std::filesystem::path& dir) {
         edit_json(dir / "thresholds.json",
                   [](json& j) { j["version"] = (uint64_t{1} << 32) + 1; });
       },
       "thresholds.json: version is 4294967297, outside"},
      {"run-config-max-length-2^64", std::nullopt,
       [](const std::filesystem::path& dir) {
         save_run_config(dir, {{"max-length", std::numeric_limits<uint64_t>::max()}});
       },
       "train_config.json: max-length is 18446744073709551615, outside"},
      {"tokenizer-json-id-2^32", std::nullopt,
       [](const std::filesystem::path& dir) {
         std::filesystem::remove(dir / "vocab.txt");
         json vocab = json::object();
         const auto tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]"};
         int id = 0;
         for (const char* token : tokens) vocab[token] = id++;
         vocab["energy"] = uint64_t{1} << 32;
         write_file_atomically(dir / "tokenizer.json",
                               json{{"model", {{"type", "WordPiece"}, {"vocab", vocab}}}}.dump());
       },
       "tokenizer.json: model.vocab: the id of token 'energy' is 4294967296, outside"},
  };
}

std::string open_and_load_error(const std::filesystem::path& dir) {
  try {
    const ModelDirectory model = ModelDirectory::open(dir);
    SessionOptions options;
    options.threads = 1;
    InferenceSession::open(model, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ModelDirectory, HostileDirectoriesAreRefusedByName) {
  for (const HostileCase& c : hostile_cases()) {
    const auto dir = valid_dir(c.name, c.start);
    ASSERT_EQ(open_and_load_error(dir), "") << c.name << ": the valid directory was refused";
    c.damage(dir);
    const std::string error = open_and_load_error(dir);
    EXPECT_NE(error.find(c.message), std::string::npos)
        << c.name << ": expected \"" << c.message << "\", got \"" << error << "\"";
    const auto predicted = testing::run_cli(cat("predict --model ", dir, " --threads 1"), "the\n");
    EXPECT_EQ(predicted.exit_code, 1) << c.name << ": " << predicted.err;
    EXPECT_NE(predicted.err.find(c.message), std::string::npos) << c.name << ": " << predicted.err;
  }
}

// `quantize` of non-finite weights: refused, instead of int8 codes of -127 at scale 1.
TEST(ModelDirectory, QuantizeRefusesNonFiniteWeights) {
  const auto dir = valid_dir("quantize-nan", std::nullopt);
  rewrite_weights(dir, set_f32(kQuery + ".weight", 9, kNaN));
  const auto out = testing::temp_dir("hostile-quantize-nan-out");
  const auto result = testing::run_cli(
      cat("quantize --model ", dir, " --out ", out / "int8", " --cpu-power 10 --threads 1"));
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find(kQuery + ".weight: value nan at index 9 is not finite"),
            std::string::npos)
      << result.err;
  EXPECT_FALSE(std::filesystem::exists(out / "int8" / "model.safetensors"));
}

// A 300-byte config.json used to make a loader allocate gigabytes before the weights were read.
// With the address space capped a little above what this process uses, opening must fail on
// the weights' shapes, not on an allocation.
TEST(ModelDirectory, OversizedConfigFailsBeforeAllocating) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves more address space than any cap here allows";
#else
  const auto dir = valid_dir("oversized-config", std::nullopt);
  edit_json(dir / "config.json", [](json& j) {
    j["vocab_size"] = 8'000'000;
    j["hidden_size"] = 8192;
    j["num_attention_heads"] = 64;
    j["intermediate_size"] = 32768;
  });
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &saved), 0);
  std::string vm_line;
  {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
      if (line.rfind("VmSize:", 0) == 0) vm_line = line;
  }
  const uint64_t used = std::stoull(vm_line.substr(7)) * 1024;  // kB
  rlimit capped = saved;
  capped.rlim_cur = used + (uint64_t{1} << 30);  // 1 GiB more; the config asks for ~300 GB
  ASSERT_EQ(setrlimit(RLIMIT_AS, &capped), 0);
  std::string error;
  try {
    load_model(ModelDirectory::open(dir));
  } catch (const Error& e) {
    error = e.what();
  } catch (const std::bad_alloc&) {
    error = "std::bad_alloc";
  }
  setrlimit(RLIMIT_AS, &saved);
  EXPECT_NE(error.find("shape [16, 8] but config.json needs [8000000, 8192]"), std::string::npos)
      << error;
#endif
}

}  // namespace
}  // namespace greenbert
