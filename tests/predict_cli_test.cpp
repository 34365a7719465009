// `greenbert predict`: logits through the CLI against PyTorch and the shared float64 golden
// outputs, the input formats (stdin lines, CSV, JSON Lines, token ids), and bad input.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <tuple>

#include "core/atomic_file.h"
#include "core/error.h"
#include "model/model_directory.h"
#include "model/names.h"
#include "support.h"

namespace greenbert {
namespace {

using nlohmann::json;

std::vector<json> output_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

// One {"input_ids", "attention_mask", "token_type_ids"} line per row of a golden file.
std::string model_input_lines(const json& golden) {
  std::string lines;
  for (size_t row = 0; row < golden["input_ids"].size(); ++row)
    lines += json{{"input_ids", golden["input_ids"][row]},
                  {"attention_mask", golden["attention_mask"][row]},
                  {"token_type_ids", golden["token_type_ids"][row]}}
                 .dump() +
             "\n";
  return lines;
}

void expect_logits(const std::string& model, const json& golden, double tolerance) {
  auto result = testing::run_cli(cat("predict --model ", model, " --output-logits --threads 1"),
                                 model_input_lines(golden));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = output_lines(result.out);
  ASSERT_EQ(lines.size(), golden["logits"].size());
  for (size_t row = 0; row < lines.size(); ++row) {
    const auto& logits = lines[row]["logits"];
    ASSERT_EQ(logits.size(), golden["logits"][row].size());
    for (size_t l = 0; l < logits.size(); ++l)
      EXPECT_NEAR(logits[l].get<double>(), golden["logits"][row][l].get<double>(), tolerance)
          << "row " << row << " label " << l;
  }
}

TEST(PredictCli, LogitsMatchTheSharedFloat64Golden) {
  GREENBERT_SHARED_PATH(dir, "models/tiny-bert-safetensors");
  expect_logits(dir.string(), json::parse(read_file(dir / "golden.json")), 1e-5);
}

// PyTorch 1.13's logits (scripts/make_torch_golden.py), through a model directory made from the
// golden file's parameters; the attention masks there have holes, whose positions must be kept.
TEST(PredictCli, LogitsMatchPyTorchForBertAndDistilbert) {
  for (const char* name : {"torch_golden_bert.json", "torch_golden_distilbert.json"}) {
    const json golden = json::parse(read_file(testing::source_dir() / "tests" / "data" / name));
    BertConfig config = parse_config(golden["config"], name);
    ParameterBuffer params = make_parameters(config);
    for (const auto& [tensor, values] : golden["parameters"].items()) {
      const auto view = params.view(*canonical_name(tensor, config.model_type));
      for (size_t i = 0; i < view.size(); ++i) view[i] = values[i].get<float>();
    }
    BertTokenizer tokenizer(
        Vocab::from_tokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}, "golden vocabulary"),
        NormalizerOptions{});
    const auto dir = testing::temp_dir(cat("predict-torch-", name));
    save_model(dir, ClassifierModel{config, std::move(params), std::move(tokenizer), {}});
    SCOPED_TRACE(name);
    expect_logits(dir.string(), golden, 2e-5);
  }
}

class PredictFormats : public ::testing::Test {
 protected:
  void SetUp() override {
    GREENBERT_SHARED_PATH(shared, "models/tiny-bert-safetensors");
    model_ = shared.string();
    // One directory per test: the test runner runs tests of a suite in parallel processes.
    dir_ = testing::temp_dir(
        cat("predict-formats-", ::testing::UnitTest::GetInstance()->current_test_info()->name()));
  }

  testing::CliResult predict(const std::string& args, const std::string& input = "") {
    return testing::run_cli(cat("predict --model ", model_, " --threads 1 ", args), input);
  }

  std::string model_;
  std::filesystem::path dir_;
  const std::vector<std::string> texts_ = {"We propose a novel method for image segmentation.",
                                           "Quantum error correction with surface codes.",
                                           "A study of language models, in two parts."};
};

TEST_F(PredictFormats, EveryFormatGivesTheSamePredictionsForTheSameText) {
  std::string lines, csv = "titles,summaries,terms\n", jsonl;
  for (size_t i = 0; i < texts_.size(); ++i) {
    lines += texts_[i] + "\n";
    csv += cat("Title ", i, ",\"", texts_[i], "\",\"['cs.CV']\"\n");
    jsonl +=
        (i % 2 ? json{{"text", texts_[i]}} : json{{"abstract", texts_[i]}, {"title", "T"}}).dump() +
        "\n\n";  // blank lines are not records in JSON Lines
  }
  write_file_atomically(dir_ / "in.csv", csv);
  write_file_atomically(dir_ / "in.jsonl", jsonl);
  auto from_stdin = predict("--top-k 1", lines);
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  const auto expected = output_lines(from_stdin.out);
  ASSERT_EQ(expected.size(), texts_.size());
  for (const auto& line : expected) {
    EXPECT_TRUE(line["labels"].is_array());
    EXPECT_EQ(line["probabilities"].size(), 1u);
    EXPECT_FALSE(line.contains("logits"));
  }
  for (const auto& file : {dir_ / "in.csv", dir_ / "in.jsonl"}) {
    auto result = predict(cat("--top-k 1 --input ", file.string()));
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(output_lines(result.out), expected) << file;
  }
}

TEST_F(PredictFormats, ThresholdsAndTopK) {
  auto all = predict("--threshold 0", texts_[0] + "\n");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const auto line = output_lines(all.out).at(0);
  EXPECT_EQ(line["labels"], (json{"LABEL_0", "LABEL_1"}));
  EXPECT_EQ(line["probabilities"].size(), 2u);  // --top-k 5 but 2 labels
  double sum_above = 0;
  for (const auto& [label, p] : line["probabilities"].items()) sum_above += p.get<double>();
  EXPECT_GT(sum_above, 0);
  auto none = predict("--threshold 1", texts_[0] + "\n");
  EXPECT_EQ(output_lines(none.out).at(0)["labels"], json::array());
}

TEST_F(PredictFormats, TokenIdsInJsonLinesAndWithOutputLogits) {
  const std::string ids = R"({"input_ids": [2, 40, 41, 3, 0], "attention_mask": [1, 1, 1, 1, 0]})";
  write_file_atomically(dir_ / "ids.jsonl", ids + "\n");
  auto from_file = predict(cat("--input ", (dir_ / "ids.jsonl").string()));
  ASSERT_EQ(from_file.exit_code, 0) << from_file.err;
  auto from_stdin = predict("--output-logits", ids + "\n" + texts_[1] + "\n");
  ASSERT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  const auto lines = output_lines(from_stdin.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["probabilities"], output_lines(from_file.out).at(0)["probabilities"]);
  EXPECT_EQ(lines[1]["logits"].size(), 2u);
  // Without --output-logits a line of stdin is always text, braces or not.
  auto as_text = predict("", ids + "\n");
  EXPECT_EQ(as_text.exit_code, 0) << as_text.err;
}

TEST_F(PredictFormats, InputsWithNoTextGetAnEmptyAnswerInTheirPlace) {
  const std::string csv_path = (dir_ / "gaps.csv").string();
  write_file_atomically(csv_path, cat("titles,summaries\nA,\"", texts_[0], "\"\nB,\"  \"\n"));
  for (const auto& [args, input, where] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"", cat(texts_[0], "\n\n \u3000\n", texts_[1], "\n"), "stdin:2"},
           {cat("--input ", csv_path), "", "gaps.csv:3"}}) {
    const auto result = predict(args, input);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto lines = output_lines(result.out);
    SCOPED_TRACE(where);
    EXPECT_NE(result.err.find(where + ": the text is empty"), std::string::npos) << result.err;
    EXPECT_EQ(lines.at(0)["probabilities"].size(), 2u);
    EXPECT_EQ(lines.at(1)["labels"], json::array());
    EXPECT_EQ(lines.at(1)["empty"], true);
    if (input.empty()) continue;
    ASSERT_EQ(lines.size(), 4u);  // one answer per input line, in order
    EXPECT_EQ(lines[2]["empty"], true);
    EXPECT_EQ(lines[3]["probabilities"],
              output_lines(predict("", texts_[1] + "\n").out).at(0)["probabilities"]);
  }
}

// A pipe that stays open (a person typing, `tail -f`) gets each answer when its line arrives,
// not when a batch is full or the input ends: the test reads the answer with stdin still open.
TEST_F(PredictFormats, AnswersALineOfAnOpenPipeBeforeTheInputEnds) {
  int to_child[2], from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  const std::string cli = testing::cli_path().string();
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(to_child[0], STDIN_FILENO);
    ::dup2(from_child[1], STDOUT_FILENO);
    for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
    ::execl(cli.c_str(), cli.c_str(), "predict", "--model", model_.c_str(), "--threads", "1",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  const std::string line = texts_[0] + "\n";
  ASSERT_EQ(::write(to_child[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
  std::string answer;
  pollfd fd{from_child[0], POLLIN, 0};
  char c = 0;
  // Bounded: a predict that waits for more input never answers, and the test fails after 2 min.
  while (answer.find('\n') == std::string::npos && ::poll(&fd, 1, 120'000) > 0 &&
         ::read(from_child[0], &c, 1) == 1)
    answer += c;
  ::close(to_child[1]);
  ::close(from_child[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_NE(answer.find("\"probabilities\""), std::string::npos) << answer;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(PredictFormats, BadInputIsAnErrorNamingTheLine) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--output-logits", "fine\n{not json\n"},
      {"--output-logits", R"({"input_ids": [2, 99999, 3]})"},
      {"--output-logits", R"({"input_ids": [2, 7, 3], "attention_mask": [0, 1, 1]})"},
      {"--output-logits", R"({"input_ids": [2, 7, 3], "attention_mask": [1, 1]})"},
      {"--output-logits", R"({"input_ids": [2, 7, 3], "token_type_ids": [0, 0, 99]})"},
      {"--output-logits", R"({"text": "ids expected"})"},
  };
  const std::vector<std::string> messages = {"stdin:2: not valid JSON at byte 3",
                                             "outside the vocabulary",
                                             "attention_mask[0]",
                                             "same length",
                                             "token type 99",
                                             "must hold \"input_ids\""};
  for (size_t i = 0; i < cases.size(); ++i) {
    auto result = predict(cases[i].first, cases[i].second);
    EXPECT_EQ(result.exit_code, 1) << cases[i].second;
    EXPECT_NE(result.err.find(messages[i]), std::string::npos) << result.err;
  }
  write_file_atomically(dir_ / "bad.jsonl", "{\"title\": \"no text\"}\n");
  auto jsonl = predict(cat("--input ", (dir_ / "bad.jsonl").string()));
  EXPECT_EQ(jsonl.exit_code, 1);
  EXPECT_NE(jsonl.err.find("bad.jsonl:1: needs"), std::string::npos) << jsonl.err;
  write_file_atomically(dir_ / "bad.csv", "titles,abstracts\nA,B\n");
  auto csv = predict(cat("--input ", (dir_ / "bad.csv").string()));
  EXPECT_EQ(csv.exit_code, 1);
  EXPECT_NE(csv.err.find("summaries"), std::string::npos) << csv.err;
  EXPECT_NE(predict("--input /nonexistent/file.txt").exit_code, 0);
}

}  // namespace
}  // namespace greenbert
