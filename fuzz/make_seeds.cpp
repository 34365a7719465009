// Writes the seeds that only the library can make, from the repository root:
//   build-fuzz/fuzz/fuzz_make_seeds
// - fuzz/seeds/quantized/: the tiny model (target.h) as model.safetensors at fp32, bf16 and int8
//   (dynamic and static activation scales), framed as fuzz_quantized reads them;
// - fuzz/seeds/safetensors/*.framed: the safetensors test files of tests/data/io, framed.
// Run it again after changing tiny_config() or the quantized file format.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/atomic_file.h"
#include "infer/quantized_model.h"
#include "model/model_directory.h"
#include "model/parameters.h"
#include "target.h"

namespace {

// The inverse of frame_safetensors: the header's JSON, a NUL, the data region.
std::string unframe(const std::string& file) {
  uint64_t length = 0;
  std::memcpy(&length, file.data(), sizeof length);
  return file.substr(8, length) + '\0' + file.substr(8 + length);
}

void write_seed(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  greenbert::write_file_atomically(path, bytes);
  std::printf("%s (%zu bytes)\n", path.c_str(), bytes.size());
}

}  // namespace

int main() {
  using namespace greenbert;
  const BertConfig config = fuzz::tiny_config();
  auto params = std::make_shared<ParameterBuffer>(make_parameters(config));
  initialize_parameters(*params, config, 42);
  ActivationRanges ranges;
  ranges.ranges.assign(static_cast<size_t>(config.num_layers), {});
  for (auto& layer : ranges.ranges) layer.fill({-2.0f, 3.0f});
  ranges.tokens = 8;

  const std::filesystem::path scratch = std::filesystem::temp_directory_path() / "fuzz-seed-model";
  ModelDescription description;
  description.config = config;
  description.tokenizer = BertTokenizer(Vocab::from_tokens(fuzz::tiny_vocab(), "tiny"), {});
  struct Variant {
    const char* name;
    Precision precision;
    const ActivationRanges* ranges;
  };
  for (const Variant& v :
       {Variant{"fp32", Precision::fp32, nullptr}, Variant{"bf16", Precision::bf16, nullptr},
        Variant{"int8-dynamic", Precision::int8, nullptr},
        Variant{"int8-static", Precision::int8, &ranges}}) {
    const ModelTensors tensors =
        quantize_parameters(config, params, v.precision, ActivationType::u8, v.ranges);
    save_model(scratch, description, &tensors);
    write_seed(std::filesystem::path("fuzz/seeds/quantized") / v.name,
               unframe(read_file(scratch / model_files::kWeights)));
  }
  std::filesystem::remove_all(scratch);

  for (const auto& entry : std::filesystem::directory_iterator("tests/data/io")) {
    if (entry.path().extension() != ".safetensors") continue;
    write_seed(std::filesystem::path("fuzz/seeds/safetensors") /
                   (entry.path().stem().string() + ".framed"),
               unframe(read_file(entry.path())));
  }
  return 0;
}
