#include <gtest/gtest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "support.h"

namespace greenbert {
namespace {

TEST(AtomicFile, ReplacesContentsAndLeavesNoTemporary) {
  auto dir = testing::temp_dir("atomic");
  auto path = dir / "file.txt";
  write_file_atomically(path, "first");
  write_file_atomically(path, "second");
  EXPECT_EQ(read_file(path), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
}

TEST(AtomicFile, FailedWriterKeepsOldContents) {
  auto dir = testing::temp_dir("atomic-fail");
  auto path = dir / "file.txt";
  write_file_atomically(path, "kept");
  EXPECT_THROW(write_file_atomically(path, [](std::ostream&) { fail("writer gave up"); }), Error);
  EXPECT_EQ(read_file(path), "kept");
}

TEST(AtomicFile, ConcurrentAppendsNeverInterleave) {
  auto path = testing::temp_dir("append") / "rows.csv";
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) append_file_durably(path, std::string(100, char('a' + t)) + "\n");
    });
  }
  for (auto& w : writers) w.join();
  auto text = read_file(path);
  ASSERT_EQ(text.size(), 4u * 50u * 101u);
  for (size_t row = 0; row < text.size(); row += 101) {
    EXPECT_EQ(text.find_first_not_of(text[row], row), row + 100) << "torn row at byte " << row;
  }
}

TEST(AtomicFile, MissingFileNamesThePath) {
  try {
    read_file("/nonexistent/greenbert.txt");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/greenbert.txt"), std::string::npos);
  }
}

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "00:00:00");
  EXPECT_EQ(format_duration(3723.4), "01:02:03");
  EXPECT_EQ(format_duration(-1), "--:--:--");
}

TEST(Cli, InfoPrintsTheMachine) {
  auto result = testing::run_cli("info");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("oneDNN"), std::string::npos);
}

TEST(Cli, UnknownSubcommandFails) {
  auto result = testing::run_cli("no-such-command");
  EXPECT_NE(result.exit_code, 0);
}

}  // namespace
}  // namespace greenbert
