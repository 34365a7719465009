// greenbert's exit statuses (cli/exit_codes.h): 2 for every kind of usage error, never CLI11's
// own 100-115; 1 for other errors; 0 for --help and --version; an unknown command is named.
// Signals (128 + N) are tested where work stops on them: train_cli_test, study_cli_test.
#include <gtest/gtest.h>

#include <string>

#include "core/atomic_file.h"
#include "support.h"

namespace greenbert {
namespace {

void expect_usage_error(const std::string& args, const std::string& says) {
  const auto result = testing::run_cli(args);
  EXPECT_EQ(result.exit_code, 2) << args << "\n" << result.err;
  EXPECT_NE(result.err.find("greenbert: usage error: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(says), std::string::npos) << args << "\n" << result.err;
  EXPECT_EQ(result.out, "") << args;
}

TEST(ExitCodes, UsageErrorsExitTwo) {
  const auto dir = testing::temp_dir("exit-codes-usage");
  write_file_atomically(dir / "data.csv", "titles,summaries,terms\nT,A,\"['cs.LG']\"\n");
  const std::string data = (dir / "data.csv").string();
  expect_usage_error("", "A subcommand is required");
  expect_usage_error("data stats", "--data is required");                           // RequiredError
  expect_usage_error("data stats --data " + data + " --nope", "--nope");            // ExtrasError
  expect_usage_error("data stats --data " + data + " --max-rows x", "--max-rows");  // conversion
  expect_usage_error("data stats --data " + data + " --on-error maybe", "--on-error");
  expect_usage_error("eval --model " + dir.string() + " --split nope", "--split");  // validation
  // The ratios moved to --split-ratios: the old spelling is an unknown option in train.
  expect_usage_error("train --data " + data + " --split 0.8,0.1,0.1 --preset bert-tiny --out x",
                     "(--split is now --split-ratios here)");
  // Checked by the command itself, after parsing.
  expect_usage_error("eval --model " + dir.string() + " --threshold 2", "--threshold");
  expect_usage_error("predict --model " + dir.string() + " --top-k=-1", "--top-k");
}

TEST(ExitCodes, AnUnknownCommandIsNamedWithTheNearestOne) {
  expect_usage_error("trian --data x", "unknown command 'trian' (did you mean 'train'?)");
  expect_usage_error("data splt --data x",
                     "unknown command 'splt' (did you mean 'split'?); the commands of greenbert "
                     "data are: stats, split");
  const auto far = testing::run_cli("frobnicate");
  EXPECT_EQ(far.exit_code, 2);
  EXPECT_NE(far.err.find("unknown command 'frobnicate'; the commands of greenbert are: info,"),
            std::string::npos)
      << far.err;
  EXPECT_NE(far.err.find("Run 'greenbert --help'"), std::string::npos) << far.err;
}

TEST(ExitCodes, HelpAndVersionExitZeroAndHelpDocumentsTheCodes) {
  const auto help = testing::run_cli("--help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* code : {"0 done", "1 error", "2 usage error", "128+N", "130", "143"})
    EXPECT_NE(help.out.find(code), std::string::npos) << code << "\n" << help.out;
  EXPECT_EQ(testing::run_cli("--version").exit_code, 0);
  EXPECT_EQ(testing::run_cli("train --help").exit_code, 0);
}

TEST(ExitCodes, OtherErrorsExitOne) {
  const auto missing = testing::run_cli("data stats --data /nonexistent/data.csv");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("greenbert: error: "), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace greenbert
