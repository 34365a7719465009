// `greenbert serve` and `greenbert export` execute their companions (greenbert-serve,
// greenbert-export) from greenbert's folder with every argument after the command, --help
// included; greenbert itself links neither the HTTP server nor ONNX (cli/companion.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/atomic_file.h"
#include "core/child_process.h"
#include "core/error.h"
#include "support.h"

namespace greenbert {
namespace {

struct CompanionCase {
  const char* command;
  const char* executable;
  const char* own_option;  // an option only the companion's --help lists
  const char* required;    // its required options, so that only an unknown one is wrong
};

void expect_runs_beside_greenbert(const CompanionCase& c) {
  SCOPED_TRACE(c.command);
  EXPECT_NE(testing::run_cli("--help").out.find(cat("\n  ", c.command, " ")), std::string::npos);
  const auto help = testing::run_cli(cat(c.command, " --help"));
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find(c.own_option), std::string::npos) << help.out;
  const auto unknown = testing::run_cli(cat(c.command, " ", c.required, " --no-such-option"));
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--no-such-option"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find(cat("Run 'greenbert ", c.command, " --help'")), std::string::npos)
      << unknown.err;

  const auto dir = testing::temp_dir(cat("companion-alone-", c.command));
  std::filesystem::copy_file(testing::cli_path(), dir / "greenbert");
  ProcessOptions options;
  options.stderr_file = dir / "err.txt";
  const ProcessExit alone = wait_process(
      start_process({(dir / "greenbert").string(), std::string(c.command), "--help"}, options));
  EXPECT_EQ(alone.exit_code, 1);
  const std::string err = read_file(dir / "err.txt");
  EXPECT_NE(err.find((dir / c.executable).string() + " is missing"), std::string::npos) << err;
}

// What the companions exist for: greenbert itself loads neither ONNX nor the HTTP server.
TEST(CompanionCli, GreenbertLinksNeitherOnnxNorTheHttpServerNorMpi) {
  const auto dir = testing::temp_dir("companion-libraries");
  ProcessOptions options;
  options.stdout_file = dir / "ldd.txt";
  ASSERT_TRUE(run_process({"ldd", testing::cli_path().string()}, options).ok());
  const std::string libraries = read_file(dir / "ldd.txt");
  EXPECT_NE(libraries.find("libdnnl"), std::string::npos) << libraries;  // ldd did list them
  for (const char* library : {"libonnx", "libprotobuf", "libssl", "libbrotli", "libmpi"})
    EXPECT_EQ(libraries.find(library), std::string::npos) << library << " in\n" << libraries;
}

TEST(CompanionCli, ServeRunsGreenbertServeBesideIt) {
  expect_runs_beside_greenbert({"serve", "greenbert-serve", "--max-batch-tokens", "--model ."});
}

TEST(CompanionCli, ExportRunsGreenbertExportBesideIt) {
  expect_runs_beside_greenbert(
      {"export", "greenbert-export", "--max-length", "--model . --to hf --out x"});
}

}  // namespace
}  // namespace greenbert
