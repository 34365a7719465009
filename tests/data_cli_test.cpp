#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "core/atomic_file.h"
#include "core/error.h"
#include "support.h"

namespace greenbert {
namespace {

// 60 papers in three label-sets plus one paper whose label-set occurs once.
std::filesystem::path data_file(const std::string& name, const std::string& extra_rows = "") {
  std::string text = "titles,summaries,terms\n";
  for (int i = 0; i < 60; ++i) {
    text += cat("Paper ", i, ",\"Words of paper ", i, ", two lines\nhere.\",\"",
                i % 3 == 0   ? "['cs.CV', 'cs.LG']"
                : i % 3 == 1 ? "['cs.CL']"
                             : "['math.OC']",
                "\"\n");
  }
  text += "Lonely,Alone here,\"['hep-th']\"\n" + extra_rows;
  auto path = testing::temp_dir(name) / "data.csv";
  write_file_atomically(path, text);
  return path;
}

nlohmann::json stats_json(const std::string& args) {
  auto result = testing::run_cli("data stats --json " + args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return nlohmann::json::parse(result.out);
}

TEST(DataCli, StatsReportsThePipeline) {
  auto path = data_file("cli-stats");
  auto stats = stats_json("--data " + path.string());
  EXPECT_EQ(stats["rows_read"], 61);
  EXPECT_EQ(stats["rows_skipped"], 0);
  EXPECT_EQ(stats["duplicates_removed"], 0);
  EXPECT_EQ(stats["singleton_papers_dropped"], 1);
  EXPECT_EQ(stats["examples"], 60);
  EXPECT_EQ(stats["label_sets"], 3);
  EXPECT_EQ(stats["split"]["train"], 54);
  EXPECT_EQ(stats["split"]["val"], 3);
  EXPECT_EQ(stats["split"]["test"], 3);
  EXPECT_EQ(stats["labels"], 4);
  EXPECT_DOUBLE_EQ(stats["label_cardinality"].get<double>(), 80.0 / 60.0);
  EXPECT_EQ(stats["top_labels"][0]["examples"], 20);
  EXPECT_EQ(stats["words"]["max"], 7);
  EXPECT_EQ(stats["text"], "abstract");

  auto text = testing::run_cli("data stats --data " + path.string());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("singletons dropped  1 papers"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("split               train 54  val 3  test 3"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("load time"), std::string::npos);
}

// "Words of paper 7, two lines\nhere." is 9 tokens with the uncased BERT vocabulary
// (words of paper 7 , two lines here .), 11 with [CLS] and [SEP], for every paper.
TEST(DataCli, StatsCountsTokensWithAVocabulary) {
  GREENBERT_SHARED_PATH(vocab, "models/bert-base-uncased-vocab.txt");
  auto path = data_file("cli-tokens");
  auto args = "--data " + path.string() + " --vocab " + vocab.string();
  auto stats = stats_json(args + " --max-length 11");
  EXPECT_EQ(stats["tokens"]["min"], 11);
  EXPECT_EQ(stats["tokens"]["max"], 11);
  EXPECT_EQ(stats["tokens"]["count"], 60);
  EXPECT_DOUBLE_EQ(stats["truncated_share"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(stats_json(args + " --max-length 10")["truncated_share"].get<double>(), 1.0);
  auto without = testing::run_cli("data stats --data " + path.string());
  EXPECT_NE(without.out.find("pass --vocab FILE"), std::string::npos) << without.out;
}

TEST(DataCli, TitleAndAbstractCountsBothTexts) {
  auto path = data_file("cli-text");
  auto stats = stats_json("--data " + path.string() + " --text title+abstract");
  EXPECT_EQ(stats["text"], "title+abstract");
  EXPECT_EQ(stats["words"]["max"], 9);
}

TEST(DataCli, SplitWritesADirectoryThatStatsCanRead) {
  auto path = data_file("cli-split");
  auto out = path.parent_path() / "split";
  auto result = testing::run_cli("data split --data " + path.string() +
                                 " --seed 5 --split-ratios 80/10/10 --out " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("train 48, val 6, test 6"), std::string::npos) << result.out;
  auto from_dir = stats_json("--data " + out.string());
  EXPECT_EQ(from_dir["source"], "split directory");
  EXPECT_EQ(from_dir["split"]["train"], 48);
  EXPECT_EQ(from_dir["split"]["val"], 6);
  EXPECT_EQ(from_dir["examples"], 60);
}

TEST(DataCli, BadRowFailsWithFileAndLine) {
  auto path = data_file("cli-bad", "Broken,\"never closed\n");
  auto result = testing::run_cli("data stats --data " + path.string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "greenbert: error: " + path.string() +
                            ":123: field 2: the quote opened on line 123 is never closed\n");
}

TEST(DataCli, SkipModeWarnsWithTheLines) {
  auto path = data_file("cli-skip", "Broken,,cs.CV\n");
  auto result = testing::run_cli("data stats --on-error skip --data " + path.string());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "greenbert: warning: skipped 1 bad row: " + path.string() +
                            ":123: empty abstract (column 'summaries')\n");
  EXPECT_NE(result.out.find("bad rows skipped    1"), std::string::npos) << result.out;
}

TEST(DataCli, OptionsAreCheckedAndDocumented) {
  auto path = data_file("cli-options");
  auto ratios = testing::run_cli("data stats --data " + path.string() + " --split-ratios 1,2");
  EXPECT_EQ(ratios.exit_code, 2) << "a usage error";
  EXPECT_NE(ratios.err.find("--split-ratios"), std::string::npos) << ratios.err;
  EXPECT_NE(testing::run_cli("data stats --data " + path.string() + " --on-error maybe").exit_code,
            0);
  EXPECT_NE(
      testing::run_cli("data stats --data " + path.string() + " --text-column nope").exit_code, 0);
  EXPECT_NE(testing::run_cli("data split --data " + path.string()).exit_code, 0)
      << "--out is required";
  for (const char* command : {"data stats --help", "data split --help"}) {
    auto help = testing::run_cli(command);
    EXPECT_EQ(help.exit_code, 0);
    for (const char* option :
         {"--data", "--format", "--title-column", "--text-column", "--terms-column", "--on-error",
          "--max-rows", "--seed", "--split-ratios", "--text"}) {
      EXPECT_NE(help.out.find(option), std::string::npos) << command << " lacks " << option;
    }
  }
}

}  // namespace
}  // namespace greenbert
