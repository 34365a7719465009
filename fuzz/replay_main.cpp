// A fuzz target's entry point without libFuzzer: runs LLVMFuzzerTestOneInput once per file of
// the directories (or files) given, in name order, as libFuzzer does when handed a corpus. The
// test suite runs it over fuzz/seeds/<target> and tests/data/fuzz-regressions/<target>, so the
// corpus and every kept crash stay replayed in every build. A sanitizer report or a crash ends
// the run as it would under libFuzzer; the last "replaying" line names the input. A missing
// directory counts as empty; no input at all is a failure (a misnamed directory must not pass).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg = argv[i];
    if (std::filesystem::is_regular_file(arg)) inputs.push_back(arg);
    if (!std::filesystem::is_directory(arg)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(arg))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    inputs.insert(inputs.end(), files.begin(), files.end());
  }
  int failed = 0;
  for (const auto& input : inputs) {
    std::fprintf(stderr, "replaying %s\n", input.c_str());
    std::ifstream in(input, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    try {
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      // Under libFuzzer an escaping exception aborts: the same input is a crash there.
      std::fprintf(stderr, "FAILED %s: uncaught exception: %s\n", input.c_str(), e.what());
      ++failed;
    }
  }
  std::fprintf(stderr, "%zu inputs replayed, %d failed\n", inputs.size(), failed);
  return inputs.empty() || failed > 0 ? 1 : 0;
}
