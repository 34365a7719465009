// Replays through the fuzz targets' checks (fuzz/harness.h) every seed input and every input the
// fuzzer ever found to crash or hang (tests/data/fuzz-regressions/<target>/), so a fixed
// parser bug stays fixed without running the fuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "../fuzz/harness.h"
#include "core/atomic_file.h"
#include "support.h"

namespace greenbert {
namespace {

void replay(const std::string& target, const std::function<void(std::string_view)>& check) {
  int inputs = 0;
  for (const auto& root : {testing::source_dir() / "fuzz/seeds",
                           testing::source_dir() / "tests/data/fuzz-regressions"}) {
    if (!std::filesystem::exists(root / target)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(root / target)) {
      const std::string bytes = read_file(entry.path());
      EXPECT_NO_THROW(check(bytes)) << entry.path();
      ++inputs;
    }
  }
  EXPECT_GT(inputs, 0) << "no inputs for " << target;
}

TEST(FuzzRegressions, CsvReader) {
  replay("csv", fuzz::check_csv);
}
TEST(FuzzRegressions, TermsParser) {
  replay("terms", fuzz::check_terms);
}
TEST(FuzzRegressions, JsonlParser) {
  replay("jsonl", fuzz::check_jsonl);
}

}  // namespace
}  // namespace greenbert
