#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/label_map.h"
#include "data/split_directory.h"
#include "support.h"

namespace greenbert {
namespace {

std::string load_error(const std::filesystem::path& path) {
  try {
    LabelMap::load(path);
    return "no error";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(LabelMap, NamesAndIds) {
  LabelMap labels({"cs.CV", "cs.LG"});
  EXPECT_EQ(labels.size(), 2);
  EXPECT_EQ(labels.find("cs.LG"), 1);
  EXPECT_EQ(labels.find("cs.AI"), -1);
  EXPECT_EQ(labels.name(0), "cs.CV");
  EXPECT_THROW(LabelMap({"a", "a"}), Error);
  EXPECT_THROW(LabelMap({"a b"}), Error);
}

TEST(LabelMap, SavesAndLoadsLabelsJson) {
  auto path = testing::temp_dir("labels") / "labels.json";
  LabelMap labels({"cs.CV", "cond-mat.mtrl-sci", "\xC3\xA9t\xC3\xA9"});
  labels.save(path);
  EXPECT_EQ(LabelMap::load(path), labels);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path.parent_path()), {}), 1)
      << "no temporary file is left";
}

TEST(LabelMap, RefusesEveryKindOfBrokenFile) {
  auto dir = testing::temp_dir("labels-bad");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{", "not valid JSON"},
      {"[]", "not a JSON object"},
      {R"({"version":1,"labels":["a"]})", "not a greenbert labels file"},
      {R"({"format":"other","version":1,"labels":["a"]})", "not a greenbert labels file"},
      {R"({"format":"greenbert-labels","labels":["a"]})", "no integer \"version\""},
      {R"({"format":"greenbert-labels","version":2,"labels":["a"]})", "version 2 is not supported"},
      {R"({"format":"greenbert-labels","version":1,"labels":"a"})", "\"labels\" is not an array"},
      {R"({"format":"greenbert-labels","version":1,"labels":[]})", "no labels"},
      {R"({"format":"greenbert-labels","version":1,"labels":["a",3]})", "label 1 is not a string"},
      {R"({"format":"greenbert-labels","version":1,"labels":["a","a"]})",
       "label 'a' appears twice"},
      {R"({"format":"greenbert-labels","version":1,"labels":["a b"]})", "contains whitespace"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto path = dir / ("labels" + std::to_string(i) + ".json");
    write_file_atomically(path, cases[i].first);
    std::string message = load_error(path);
    EXPECT_TRUE(message.starts_with(path.string() + ": ")) << message;
    EXPECT_NE(message.find(cases[i].second), std::string::npos)
        << cases[i].first << " -> " << message;
  }
  EXPECT_NE(load_error(dir / "missing.json").find("cannot open"), std::string::npos);
}

// A small data file with quotes, commas and newlines in the text, and label-sets of several
// sizes.
std::filesystem::path small_data_file(const std::string& name) {
  std::string text = "titles,summaries,terms\n";
  const std::vector<std::string> sets = {"['cs.CV']", "['cs.LG', 'cs.CV']", "['math.OC']",
                                         "['quant-ph']"};
  for (int i = 0; i < 120; ++i) {
    text += cat("\"Paper ", i, ", \"\"quoted\"\"\",\"Line one of ", i,
                ".\nLine two, with a comma.\",\"",
                sets[static_cast<size_t>(i % 7 == 0 ? 3 : i % 3)], "\"\n");
  }
  auto path = testing::temp_dir(name) / "data.csv";
  write_file_atomically(path, text);
  return path;
}

void expect_same(const Dataset& a, const Dataset& b) {
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.val, b.val);
  EXPECT_EQ(a.test, b.test);
  EXPECT_EQ(a.report.unseen_labels, b.report.unseen_labels);
}

TEST(SplitDirectory, WriteThenLoadGivesTheSameDataset) {
  auto data = small_data_file("split-roundtrip");
  LoadOptions options;
  options.prepare.seed = 3;
  Dataset original = load_dataset(data, options);
  ASSERT_FALSE(original.val.empty());
  auto dir = data.parent_path() / "split";
  write_split(dir, original);
  for (const char* file : {"train.csv", "val.csv", "test.csv", "labels.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / file)) << file;
  }
  Dataset reloaded = load_dataset(dir, options);
  expect_same(original, reloaded);
  EXPECT_EQ(reloaded.reads.size(), 3u);
  EXPECT_EQ(
      reloaded.report.papers_in,
      static_cast<int64_t>(original.train.size() + original.val.size() + original.test.size()));
  // And a second write of the reloaded data is byte for byte the first.
  auto again = data.parent_path() / "again";
  write_split(again, reloaded);
  for (const char* file : {"train.csv", "val.csv", "test.csv", "labels.json"}) {
    EXPECT_EQ(read_file(dir / file), read_file(again / file)) << file;
  }
}

TEST(SplitDirectory, WrittenFilesUseTheInputFormat) {
  Dataset dataset;
  dataset.labels = LabelMap({"cs.LG", "cs.CV"});
  dataset.train = {{"A, \"quoted\" title", "Two\nlines", {0, 1}, {}}};
  dataset.val = {{"Plain", "Text", {1}, {"rare.X"}}};
  dataset.report.unseen_labels = {{"rare.X", 1}};
  auto dir = testing::temp_dir("split-format");
  write_split(dir, dataset);
  EXPECT_EQ(read_file(dir / "train.csv"),
            "titles,summaries,terms\n\"A, \"\"quoted\"\" title\",\"Two\nlines\",\"['cs.CV', "
            "'cs.LG']\"\n");
  EXPECT_EQ(read_file(dir / "val.csv"),
            "titles,summaries,terms\nPlain,Text,\"['cs.CV', 'rare.X']\"\n");
  EXPECT_EQ(read_file(dir / "test.csv"), "titles,summaries,terms\n");
  Dataset loaded = load_dataset(dir, {});
  expect_same(dataset, loaded);
}

TEST(SplitDirectory, TrainTermsMustBeInLabelsJson) {
  auto dir = testing::temp_dir("split-inconsistent");
  LabelMap({"cs.CV"}).save(dir / "labels.json");
  write_file_atomically(dir / "train.csv",
                        "titles,summaries,terms\nT,A,\"['cs.CV']\"\nU,B,\"['cs.XX']\"\n");
  write_file_atomically(dir / "val.csv", "titles,summaries,terms\n");
  write_file_atomically(dir / "test.csv", "titles,summaries,terms\n");
  try {
    load_dataset(dir, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "train.csv").string() + ":3: term 'cs.XX' is not in " +
                                         (dir / "labels.json").string());
  }
  std::filesystem::remove(dir / "labels.json");
  EXPECT_THROW(load_dataset(dir, {}), Error);
}

TEST(LoadDataset, ReadsAndPreparesADataFile) {
  auto data = small_data_file("load-file");
  Dataset dataset = load_dataset(data, {});
  ASSERT_EQ(dataset.reads.size(), 1u);
  EXPECT_EQ(dataset.reads[0].rows, 120);
  EXPECT_EQ(dataset.train.size() + dataset.val.size() + dataset.test.size(), 120u);
  EXPECT_EQ(dataset.train[0].title, "Paper 1, \"quoted\"");
  EXPECT_EQ(dataset.train[0].abstract, "Line one of 1.\nLine two, with a comma.");
}

TEST(LoadDataset, SaysWhatIsMissingOrEmpty) {
  auto dir = testing::temp_dir("load-errors");
  EXPECT_THROW(load_dataset(dir / "nothing.csv", {}), Error);
  write_file_atomically(dir / "header.csv", "titles,summaries,terms\n");
  try {
    load_dataset(dir / "header.csv", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "header.csv").string() + ": no papers");
  }
  write_file_atomically(dir / "single.csv", "titles,summaries,terms\nA,a,x\nB,b,y\n");
  try {
    load_dataset(dir / "single.csv", {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_TRUE(
        std::string(e.what()).starts_with((dir / "single.csv").string() + ": no papers left"))
        << e.what();
  }
}

}  // namespace
}  // namespace greenbert
