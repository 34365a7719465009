// Prediction at scale (infer/prediction_shards.h, `greenbert predict --output/--resume/--shard`,
// `greenbert merge-predictions`): shards merge into exactly what one process writes, an
// interrupted --output resumes without losing or repeating an answer, and the merge refuses
// shards out of order, of another N, or incomplete.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "infer/prediction_shards.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Cornell-style JSON Lines: an id, a title, an abstract (two of them empty).
std::string cornell_lines(int papers) {
  const std::vector<std::string> words = {"quantum", "graph",   "neural", "codes",  "image",
                                          "proof",   "network", "energy", "sparse", "language"};
  std::string text;
  for (int i = 0; i < papers; ++i) {
    std::string abstract;
    for (int w = 0; w < 12 && i % 11 != 5; ++w)
      abstract += (w ? " " : "") + words[static_cast<size_t>(i * 7 + w * 3) % words.size()];
    text +=
        json{{"id", cat("0704.", 1000 + i)}, {"title", cat("Paper ", i)}, {"abstract", abstract}}
            .dump() +
        "\n";
  }
  return text;
}

class PredictShards : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENBERT_SHARED_PATH(shared, "models/tiny-bert-safetensors");
    model_ = shared.string();
    dir_ = testing::temp_dir(
        cat("predict-shards-", ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    input_ = dir_ / "papers.jsonl";
    write_file_atomically(input_, cornell_lines(23));
  }

  // predict --output OUT with `args`; the exit status and stderr.
  testing::CliResult predict_to(const std::filesystem::path& out, const std::string& args = "") {
    return testing::run_cli(cat("predict --model ", model_, " --threads 1 --batch-size 4 --input ",
                                input_.string(), " --output ", out.string(), " ", args));
  }

  std::string model_;
  std::filesystem::path dir_, input_;
};

TEST_F(PredictShards, ShardsMergeIntoExactlyWhatOneProcessWrites) {
  const auto whole = dir_ / "whole.jsonl";
  auto one = predict_to(whole);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const std::string expected = read_file(whole);
  const auto lines = lines_of(expected);
  ASSERT_EQ(lines.size(), 23u);
  EXPECT_EQ(json::parse(lines[0])["id"], "0704.1000");
  EXPECT_EQ(json::parse(lines[5])["empty"], true);
  auto on_stdout = testing::run_cli(
      cat("predict --model ", model_, " --threads 1 --batch-size 4 --input ", input_.string()));
  EXPECT_EQ(on_stdout.out, expected);

  std::vector<std::string> shards;
  for (int k = 0; k < 3; ++k) {
    const auto part = dir_ / cat("part-", k, ".jsonl");
    auto run = predict_to(part, cat("--shard ", k, "/3"));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto part_lines = lines_of(read_file(part));
    EXPECT_EQ(part_lines.size(), k < 2 ? 8u : 7u);  // inputs k, k+3, ... of 23
    for (size_t i = 0; i < part_lines.size(); ++i)
      EXPECT_EQ(json::parse(part_lines[i])["index"], static_cast<int>(i) * 3 + k);
    shards.push_back(part.string());
  }
  const auto merged = dir_ / "merged.jsonl";
  auto merge = testing::run_cli(cat("merge-predictions --out ", merged.string(), " ", shards[0],
                                    " ", shards[1], " ", shards[2]));
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_EQ(read_file(merged), expected);
}

TEST_F(PredictShards, AnInterruptedOutputResumesWithEveryAnswerOnce) {
  const auto whole = dir_ / "whole.jsonl";
  ASSERT_EQ(predict_to(whole).exit_code, 0);
  const auto expected = lines_of(read_file(whole));
  for (const std::string shard : {"0/1", "1/2"}) {
    SCOPED_TRACE(shard);
    const auto out = dir_ / cat("out-", shard[0], ".jsonl");
    ASSERT_EQ(predict_to(out, "--shard " + shard).exit_code, 0);
    const auto complete = read_file(out);
    // As a kill leaves it: some whole lines, then a torn one, and a record not yet complete.
    const auto lines = lines_of(complete);
    std::string partial;
    for (size_t i = 0; i < 5; ++i) partial += lines[i] + "\n";
    write_file_atomically(out, partial + lines[5].substr(0, 17));
    PredictionRecord record = *read_prediction_record(out);
    record.complete = false;
    write_prediction_record(out, record);

    auto again = predict_to(out, "--shard " + shard);
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("exists; --resume continues it"), std::string::npos) << again.err;
    auto other = predict_to(out, "--shard " + shard + " --resume --top-k 2");
    EXPECT_EQ(other.exit_code, 1);
    EXPECT_NE(other.err.find("--top-k 5 (this command: 2)"), std::string::npos) << other.err;

    auto resumed = predict_to(out, "--shard " + shard + " --resume");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_NE(resumed.err.find("answers 5 inputs already"), std::string::npos) << resumed.err;
    EXPECT_EQ(read_file(out), complete);
  }
  auto finished = predict_to(dir_ / "out-0.jsonl", "--shard 0/1 --resume");
  EXPECT_EQ(finished.exit_code, 0) << finished.err;
  EXPECT_NE(finished.out.find("is complete (23 answers); nothing to do"), std::string::npos)
      << finished.out;
  auto nothing = predict_to(dir_ / "never.jsonl", "--resume");
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_NE(nothing.err.find("nothing to resume"), std::string::npos) << nothing.err;
}

TEST_F(PredictShards, MoreShardsThanInputsLeaveEmptyCompleteFiles) {
  write_file_atomically(input_, cornell_lines(2));
  const auto whole = dir_ / "whole.jsonl";
  ASSERT_EQ(predict_to(whole).exit_code, 0);
  std::string parts;
  for (int k = 0; k < 3; ++k) {
    const auto part = dir_ / cat("part-", k, ".jsonl");
    ASSERT_EQ(predict_to(part, cat("--shard ", k, "/3")).exit_code, 0);
    parts += " " + part.string();
  }
  EXPECT_EQ(read_file(dir_ / "part-2.jsonl"), "");
  EXPECT_TRUE(read_prediction_record(dir_ / "part-2.jsonl")->complete);
  const auto merged = dir_ / "merged.jsonl";
  auto merge = testing::run_cli(cat("merge-predictions --out ", merged.string(), parts));
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  EXPECT_EQ(read_file(merged), read_file(whole));
}

TEST_F(PredictShards, ResumeRefusesAnInputThatChangedUnderTheSameSize) {
  const auto out = dir_ / "out.jsonl";
  ASSERT_EQ(predict_to(out).exit_code, 0);
  // As if killed before its record said complete, and the input then rewritten: two papers
  // became one line of the same size.
  PredictionRecord record = *read_prediction_record(out);
  record.complete = false;
  write_prediction_record(out, record);
  auto papers = lines_of(read_file(input_));
  const size_t bytes = papers[0].size() + 1 + papers[1].size();
  papers[1] = papers[0] + std::string(bytes - papers[0].size(), ' ');
  papers.erase(papers.begin());
  std::string text;
  for (const auto& line : papers) text += line + "\n";
  write_file_atomically(input_, text);
  auto resumed = predict_to(out, "--resume");
  EXPECT_EQ(resumed.exit_code, 1);
  EXPECT_NE(resumed.err.find("holds 23 answers, but this shard of"), std::string::npos)
      << resumed.err;
  EXPECT_NE(resumed.err.find("has only 22 inputs"), std::string::npos) << resumed.err;
}

// Shards as predict --shard K/N writes them: lines for `positions`, and a record.
struct ShardFiles {
  std::filesystem::path dir = testing::temp_dir("merge-predictions");
  std::filesystem::path write(const std::string& name, const std::string& shard,
                              const std::vector<int>& positions, const std::string& tail = "",
                              bool complete = true, int top_k = 5) {
    std::string text;
    for (int p : positions) text += indexed_line(p, cat(R"({"labels":["L)", p, R"("]})", "\n"));
    write_file_atomically(dir / name, text + tail);
    PredictionRecord record;
    record.options = {{"shard", shard}, {"top-k", top_k}};
    record.complete = complete;
    record.answers = static_cast<int64_t>(positions.size());
    write_prediction_record(dir / name, record);
    return dir / name;
  }
  std::string merge_error(std::vector<std::filesystem::path> shards) {
    try {
      merge_prediction_shards(shards, dir / "merged.jsonl");
    } catch (const Error& e) {
      EXPECT_FALSE(std::filesystem::exists(dir / "merged.jsonl"));  // no partial output
      return e.what();
    }
    return "merged";
  }
};

TEST(MergePredictions, PutsShardsInInputOrderAndRefusesWhatDoesNotFit) {
  ShardFiles f;
  const auto even = f.write("even.jsonl", "0/2", {0, 2, 4});
  const auto odd = f.write("odd.jsonl", "1/2", {1, 3});
  EXPECT_EQ(merge_prediction_shards(std::vector{even, odd}, f.dir / "all.jsonl"), 5);
  std::string expected;
  for (int p = 0; p < 5; ++p) expected += cat(R"({"labels":["L)", p, R"("]})", "\n");
  EXPECT_EQ(read_file(f.dir / "all.jsonl"), expected);

  // What the records say: shards given out of order or of another N, unfinished, other options.
  EXPECT_NE(f.merge_error({odd, even}).find("odd.jsonl: is shard 1/2, given as shard 0/2"),
            std::string::npos);
  EXPECT_NE(f.merge_error({even, odd, f.write("third.jsonl", "2/3", {})})
                .find("even.jsonl: is shard 0/2, given as shard 0/3"),
            std::string::npos);
  EXPECT_NE(f.merge_error({even, f.write("cut.jsonl", "1/2", {1}, "", false)})
                .find("cut.jsonl: incomplete"),
            std::string::npos);
  EXPECT_NE(f.merge_error({even, f.write("top2.jsonl", "1/2", {1, 3}, "", true, 2)})
                .find("top2.jsonl: written with other options than"),
            std::string::npos);
  write_file_atomically(f.dir / "bare.jsonl", indexed_line(1, "{\"labels\":[]}\n"));
  EXPECT_NE(f.merge_error({even, f.dir / "bare.jsonl"}).find("no bare.jsonl.predict.json"),
            std::string::npos);
  // What the lines say, should a record not match its file.
  write_file_atomically(f.dir / "plain.jsonl", "{\"labels\":[]}\n");
  write_prediction_record(f.dir / "plain.jsonl", {{{"shard", "0/2"}, {"top-k", 5}}, true, 1});
  EXPECT_NE(f.merge_error({f.dir / "plain.jsonl", odd}).find("no leading \"index\""),
            std::string::npos);
  EXPECT_NE(f.merge_error({even, f.write("short.jsonl", "1/2", {1})})
                .find("even.jsonl:3: input 3 is missing"),
            std::string::npos);
  EXPECT_NE(f.merge_error({even, f.write("torn.jsonl", "1/2", {1}, R"({"index":3,"lab)")})
                .find("torn.jsonl:2: a torn last line"),
            std::string::npos);
  EXPECT_NE(f.merge_error({even, f.write("swapped.jsonl", "1/2", {3, 1})})
                .find("swapped.jsonl:1: the line of input 3 where input 1 belongs"),
            std::string::npos);
  const auto grown = f.write("grown.jsonl", "1/2", {1, 3});
  append_file_durably(grown, indexed_line(5, "{\"labels\":[]}\n"));
  EXPECT_NE(f.merge_error({f.write("even6.jsonl", "0/2", {0, 2, 4}), grown})
                .find("grown.jsonl: holds 3 answers, but its grown.jsonl.predict.json says 2"),
            std::string::npos);
}

TEST(MergePredictions, ShardIsKOfN) {
  EXPECT_EQ(shard_name(parse_shard("2/5", "--shard")), "2/5");
  EXPECT_TRUE(parse_shard("2/5", "--shard").holds(7));
  EXPECT_FALSE(parse_shard("0/1", "--shard").sharded());
  for (const char* bad : {"5/5", "-1/2", "1", "1/0", "a/2", "1/2/3", ""})
    EXPECT_THROW(parse_shard(bad, "--shard"), Error) << bad;
}

}  // namespace
}  // namespace greenbert
