#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "support.h"

namespace greenbert {
namespace {

TEST(CreateFileIfAbsent, ExactlyOneConcurrentCallerCreatesTheFile) {
  auto dir = testing::temp_dir("create-if-absent");
  auto path = dir / "header.csv";
  std::atomic<int> created{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 8; ++t) {
    callers.emplace_back([&, t] {
      if (create_file_if_absent(path, cat("header from ", t, "\n"))) ++created;
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(read_file(path).rfind("header from ", 0), 0u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1) << "no temporaries";
  EXPECT_FALSE(create_file_if_absent(path, "other\n"));
  EXPECT_EQ(read_file(path).find("other"), std::string::npos);
}

}  // namespace
}  // namespace greenbert
