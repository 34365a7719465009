// `greenbert train` and `greenbert eval` end to end on a synthetic task with a tiny model:
// the run directory, eval against compute_metrics, a killed or interrupted run resumed to a
// bit-identical result, option mismatches, and fine-tuning the shared tiny HF checkpoint.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "background_cli.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/threads.h"
#include "data/split_directory.h"
#include "infer/classifier.h"
#include "report/metrics.h"
#include "support.h"
#include "train/checkpoint.h"
#include "train/trainer.h"
#include "train_support.h"

namespace greenbert {
namespace {

using nlohmann::json;
using testing::exit_code_of;
using testing::line_count;
using testing::spawn_cli;
using testing::wait_until;

struct Task {
  std::filesystem::path dir, data, config;
};

Task make_task(const std::string& name, int papers = 300) {
  Task t;
  t.dir = testing::temp_dir(name);
  t.data = testing::write_synthetic_csv(t.dir / "data.csv", papers, 11);
  t.config = testing::write_tiny_config(t.dir / "tiny.json");
  return t;
}

std::string train_args(const Task& t, const std::filesystem::path& out,
                       const std::string& extra = "", int epochs = 2) {
  return cat("train --data ", t.data.string(), " --split-ratios 0.8,0.1,0.1 --config ",
             t.config.string(), " --vocab-size 120 --epochs ", epochs,
             " --batch-size 8 --max-length 48 --lr 3e-3 --threads 1 --out ", out.string(), " ",
             extra);
}

// The CSV rows of `file` without its last `timed` columns (seconds, rates).
std::vector<std::string> deterministic_rows(const std::filesystem::path& file, size_t timed) {
  std::vector<std::string> rows;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    for (size_t i = 0; i < timed; ++i) line = line.substr(0, line.rfind(','));
    rows.push_back(line);
  }
  return rows;
}

void expect_same_run(const std::filesystem::path& a, const std::filesystem::path& b) {
  EXPECT_EQ(read_file(a / "model.safetensors"), read_file(b / "model.safetensors"));
  EXPECT_EQ(read_file(a / "thresholds.json"), read_file(b / "thresholds.json"));
  EXPECT_EQ(deterministic_rows(a / "train_log.csv", 2), deterministic_rows(b / "train_log.csv", 2));
  EXPECT_EQ(deterministic_rows(a / "val_log.csv", 1), deterministic_rows(b / "val_log.csv", 1));
  const auto ma = json::parse(read_file(a / "metrics.json"));
  const auto mb = json::parse(read_file(b / "metrics.json"));
  EXPECT_EQ(ma["test"], mb["test"]);
  EXPECT_EQ(ma["val"], mb["val"]);
}

// A --config written for another task (no problem_type, or a single-label one) still trains
// one sigmoid per label, and the run's config.json says so: HF's pipelines and greenbert's own
// predict pick their activation from it.
TEST(TrainCli, RunConfigSaysMultiLabelWhateverTheConfigFileSaid) {
  Task t = make_task("train-cli-problem-type", 120);
  json config = json::parse(read_file(t.config));
  config["problem_type"] = "single_label_classification";
  write_file_atomically(t.config, config.dump());
  const auto run = t.dir / "run";
  auto trained = testing::run_cli(train_args(t, run, "", 1));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_EQ(json::parse(read_file(run / "config.json"))["problem_type"],
            "multi_label_classification");
}

TEST(TrainCli, WritesTheRunDirectoryAndEvalMatchesComputeMetrics) {
  const Task t = make_task("train-cli-run");
  const auto run = t.dir / "run";
  auto trained = testing::run_cli(train_args(t, run));
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  for (const char* file : {"config.json", "model.safetensors", "vocab.txt", "labels.json",
                           "thresholds.json", "metrics.json", "train_log.csv", "val_log.csv",
                           "emissions.csv", "emissions_details.jsonl", "train_config.json"})
    EXPECT_TRUE(std::filesystem::exists(run / file)) << file;
  EXPECT_FALSE(std::filesystem::exists(run / "checkpoint"));

  const auto metrics = json::parse(read_file(run / "metrics.json"));
  EXPECT_EQ(metrics["format"], "greenbert-metrics");
  EXPECT_EQ(metrics["version"], 1);
  EXPECT_EQ(metrics["model"]["model_type"], "bert");
  EXPECT_EQ(metrics["model"]["layers"], 2);
  EXPECT_EQ(metrics["model"]["precision"], "fp32");
  EXPECT_EQ(metrics["data"]["max_length"], 48);
  EXPECT_EQ(metrics["data"]["text"], "abstract");
  EXPECT_EQ(metrics["training"]["epochs"], 2);
  EXPECT_EQ(metrics["training"]["gemm_precision"], "fp32");
  EXPECT_EQ(metrics["training"]["threads"], 1);
  EXPECT_GT(metrics["training"]["sequences_per_second"].get<double>(), 0);
  EXPECT_TRUE(metrics["threshold"]["per_label_available"].get<bool>());
  for (const char* key : {"val", "test", "test_threshold_0.5"})
    EXPECT_TRUE(metrics[key].contains("micro_f1")) << key;
  for (const char* phase : {"train", "eval-val", "eval-test"})
    EXPECT_GT(metrics["energy"][phase]["kwh"].get<double>(), 0) << phase;
  EXPECT_EQ(read_file(run / "train_log.csv").substr(0, 49),
            "step,epoch,loss,lr,grad_norm,seqs_per_s,elapsed_s");
  EXPECT_EQ(line_count(run / "val_log.csv"), 3u);

  // eval takes the data, split and seed from the run: the same test split.
  auto evaluated = testing::run_cli(cat("eval --model ", run.string(), " --json --threads 1"));
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
  const auto eval = json::parse(evaluated.out);
  EXPECT_EQ(eval["format"], "greenbert-eval");
  EXPECT_EQ(eval["split"], "test");
  EXPECT_EQ(eval["model"]["parameters"], metrics["model"]["parameters"]);

  // A quantized copy keeps the run's options: eval needs no --data and scores the same split.
  const auto int8 = t.dir / "run-int8";
  ASSERT_EQ(testing::run_cli(cat("quantize --model ", run.string(), " --precision int8 --out ",
                                 int8.string(), " --threads 1"))
                .exit_code,
            0);
  auto quantized = testing::run_cli(cat("eval --model ", int8.string(), " --json --threads 1"));
  ASSERT_EQ(quantized.exit_code, 0) << quantized.err;
  const auto eval_int8 = json::parse(quantized.out);
  EXPECT_EQ(eval_int8["model"]["precision"], "int8");
  EXPECT_EQ(eval_int8["data"], eval["data"]);
  // eval uses the thresholds the run chose: per label when they helped macro-F1 on held-out
  // validation halves, else the global one.
  EXPECT_EQ(eval["threshold"] == "per_label", metrics["threshold"]["use_per_label"].get<bool>());
  if (eval["threshold"] != "per_label") {
    EXPECT_EQ(eval["threshold"], metrics["threshold"]["global"]);
  }
  EXPECT_EQ(eval["metrics"], metrics["test"]);

  // The same numbers computed here from the model and the data.
  set_thread_count(1);
  const Classifier classifier =
      open_classifier(ModelDirectory::open(run), {32, 48, Precision::fp32, 1});
  LoadOptions load;
  load.prepare.ratios = {0.8, 0.1, 0.1};
  const Dataset dataset = load_dataset(t.data, load);
  const EncodedExamples test =
      encode_examples(classifier.tokenizer, dataset.test, TextInput::abstract, 48);
  const int64_t labels = classifier.config.num_labels();
  const auto probabilities = probabilities_of(predict_logits(classifier.logits, labels, 32, test),
                                              labels, classifier.activation);
  const auto expected = to_json(compute_metrics(probabilities, target_matrix(test, labels), labels,
                                                classifier.thresholds.effective()),
                                classifier.config.labels);
  EXPECT_EQ(eval["metrics"], expected);

  // --split all: every paper of a new file as read, the repeated title too; a label the model
  // never saw (astro-ph) is a miss in the micro averages.
  const auto week = t.dir / "week.csv";
  write_file_atomically(week,
                        "titles,summaries,terms\n"
                        "A,pixel pixel image,\"['cs.CV']\"\n"
                        "A,pixel pixel image,\"['cs.CV']\"\n"
                        "B,pixel stars telescope,\"['cs.CV', 'astro-ph']\"\n"
                        "C,language tokens words,\"['cs.CL']\"\n");
  auto whole = testing::run_cli(cat("eval --model ", run.string(), " --data ", week.string(),
                                    " --split all --json --threshold 0.5 --threads 1"));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const auto all = json::parse(whole.out);
  EXPECT_EQ(all["metrics"]["examples"], 4);
  EXPECT_EQ(all["labels_not_in_model"]["astro-ph"], 1);
  EXPECT_NE(whole.err.find("1 misses in the micro averages"), std::string::npos) << whole.err;
  {
    std::vector<Example> papers(4);
    const std::vector<std::pair<std::string, std::string>> rows = {
        {"pixel pixel image", "cs.CV"},
        {"pixel pixel image", "cs.CV"},
        {"pixel stars telescope", "cs.CV"},
        {"language tokens words", "cs.CL"}};
    const LabelMap model_labels(classifier.config.labels);
    for (size_t i = 0; i < rows.size(); ++i) {
      papers[i].abstract = rows[i].first;
      papers[i].labels = {model_labels.find(rows[i].second)};
    }
    const EncodedExamples encoded =
        encode_examples(classifier.tokenizer, papers, TextInput::abstract, 48);
    const float half = 0.5f;
    MultiLabelMetrics reference =
        compute_metrics(probabilities_of(predict_logits(classifier.logits, labels, 32, encoded),
                                         labels, classifier.activation),
                        target_matrix(encoded, labels), labels, {&half, 1});
    count_missed_labels(reference, 1);
    EXPECT_EQ(all["metrics"], to_json(reference, classifier.config.labels));
  }

  // Other thresholds, and the text table.
  auto at_half =
      testing::run_cli(cat("eval --model ", run.string(), " --json --threshold 0.5 --threads 1"));
  ASSERT_EQ(at_half.exit_code, 0) << at_half.err;
  EXPECT_EQ(json::parse(at_half.out)["metrics"], metrics["test_threshold_0.5"]);
  auto per_label =
      testing::run_cli(cat("eval --model ", run.string(), " --per-label-thresholds --threads 1"));
  ASSERT_EQ(per_label.exit_code, 0) << per_label.err;
  EXPECT_NE(per_label.out.find("micro-F1"), std::string::npos);
  EXPECT_NE(per_label.out.find("cs.CV"), std::string::npos);
  auto both = testing::run_cli(
      cat("eval --model ", run.string(), " --per-label-thresholds --threshold 0.5"));
  EXPECT_EQ(both.exit_code, 2) << "a usage error";

  // A finished run is left alone.
  auto again = testing::run_cli(train_args(t, run));
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
}

TEST(TrainCli, EvalReportsLabelsTheModelLacks) {
  const Task t = make_task("train-cli-missing-labels", 200);
  const auto run = t.dir / "run";
  ASSERT_EQ(testing::run_cli(train_args(t, run, "", 1)).exit_code, 0);
  // Other data: every fifth paper also carries hep-th, which the model never saw.
  std::string other = "titles,summaries,terms\n";
  for (const Paper& p : testing::synthetic_papers(100, 12)) {
    std::string terms = cat("'", p.terms[0], "'");
    if (p.line % 5 == 0) terms += ", 'hep-th'";
    other += cat(p.title, ",", p.abstract, ",\"[", terms, "]\"\n");
  }
  write_file_atomically(t.dir / "other.csv", other);
  auto result = testing::run_cli(
      cat("eval --model ", run.string(), " --data ", (t.dir / "other.csv").string(), " --json"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("hep-th"), std::string::npos) << result.err;
  const auto eval = json::parse(result.out);
  EXPECT_GT(eval["labels_not_in_model"]["hep-th"].get<int>(), 0);
  EXPECT_EQ(eval["metrics"]["labels"],
            json::parse(read_file(run / "metrics.json"))["data"]["labels"]);
}

TEST(TrainCli, KilledRunResumesToABitIdenticalResult) {
  const Task t = make_task("train-cli-kill");
  const auto straight = t.dir / "straight";
  ASSERT_EQ(testing::run_cli(train_args(t, straight)).exit_code, 0);

  // A checkpoint at every step, so the kill lands after several of them, in the middle of one
  // step or of a checkpoint write.
  const auto killed = t.dir / "killed";
  const std::string args = train_args(t, killed, "--checkpoint-every 1");
  const pid_t pid = spawn_cli(args, t.dir / "killed.err");
  const bool running = wait_until(pid, [&] {
    return std::filesystem::exists(checkpoint_file(checkpoint_dir(killed))) &&
           line_count(killed / "train_log.csv") > 6;
  });
  ASSERT_TRUE(running) << "the run ended before it could be killed: "
                       << read_file(t.dir / "killed.err");
  ::kill(pid, SIGKILL);
  EXPECT_EQ(exit_code_of(pid), -SIGKILL);
  // Whatever the kill interrupted, and a torn checkpoint temporary as a kill during its write
  // would leave: ignored, and cleaned up.
  const auto torn = checkpoint_dir(killed) / "checkpoint.safetensors.tmp.4242";
  write_file_atomically(torn, "torn");

  auto resumed = testing::run_cli(args);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.err.find("resuming"), std::string::npos) << resumed.err;
  EXPECT_FALSE(std::filesystem::exists(torn));
  expect_same_run(straight, killed);
}

TEST(TrainCli, InterruptWritesACheckpointAndResumeUsesTheRunsOptions) {
  const Task t = make_task("train-cli-interrupt");
  const auto straight = t.dir / "straight";
  ASSERT_EQ(testing::run_cli(train_args(t, straight)).exit_code, 0);

  const auto run = t.dir / "run";
  const pid_t pid = spawn_cli(train_args(t, run, "--checkpoint-every 1"), t.dir / "run.err");
  ASSERT_TRUE(wait_until(pid, [&] { return line_count(run / "train_log.csv") > 4; }));
  ::kill(pid, SIGINT);
  EXPECT_EQ(exit_code_of(pid), 128 + SIGINT) << "130, as a shell reports Ctrl-C";
  const std::string err = read_file(t.dir / "run.err");
  EXPECT_NE(err.find("interrupted"), std::string::npos) << err;
  EXPECT_NE(err.find("--resume"), std::string::npos) << err;
  EXPECT_TRUE(std::filesystem::exists(checkpoint_file(checkpoint_dir(run))));

  // A run started before --split became --split-ratios recorded the ratios as "split": it
  // still resumes, with its own ratios.
  auto config = json::parse(read_file(run / "train_config.json"));
  ASSERT_TRUE(config.contains("split-ratios"));
  config["split"] = config["split-ratios"];
  config.erase("split-ratios");
  write_file_atomically(run / "train_config.json", config.dump(2));

  // Other options on the same run directory are refused, with or without --resume.
  auto other = testing::run_cli(train_args(t, run, "", 3));
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("--epochs 2 (this command: 3)"), std::string::npos) << other.err;
  EXPECT_EQ(other.err.find("split"), std::string::npos) << other.err;
  auto other_resume =
      testing::run_cli(cat("train --out ", run.string(), " --resume --lr 0.5 --threads 1"));
  EXPECT_EQ(other_resume.exit_code, 1);
  EXPECT_NE(other_resume.err.find("--lr"), std::string::npos) << other_resume.err;

  auto resumed = testing::run_cli(cat("train --out ", run.string(), " --resume --threads 1"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_same_run(straight, run);
}

// The kernel writes a signal handler's frame below the interrupted thread's stack pointer, which
// oneDNN's jit GEMM kernels point into a heap buffer while they run: a stop signal handled on a
// computing thread corrupted the heap. Only one thread of a training may take SIGINT and SIGTERM.
TEST(TrainCli, StopSignalsReachOnlyTheThreadWaitingForThem) {
  const Task t = make_task("train-cli-signal-threads");
  const auto run = t.dir / "run";
  const pid_t pid = spawn_cli(train_args(t, run, "", 50), t.dir / "run.err");
  ASSERT_TRUE(wait_until(pid, [&] { return line_count(run / "train_log.csv") > 2; }))
      << read_file(t.dir / "run.err");
  const uint64_t stop_signals = (uint64_t{1} << (SIGINT - 1)) | (uint64_t{1} << (SIGTERM - 1));
  int threads = 0, taking = 0;
  for (const auto& task : std::filesystem::directory_iterator(cat("/proc/", pid, "/task"))) {
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("SigBlk:", 0) != 0) continue;
      ++threads;
      if ((std::stoull(line.substr(7), nullptr, 16) & stop_signals) != stop_signals) ++taking;
    }
  }
  ::kill(pid, SIGTERM);
  EXPECT_EQ(exit_code_of(pid), 128 + SIGTERM) << read_file(t.dir / "run.err");
  EXPECT_GE(threads, 2) << "training and its energy sampler";
  EXPECT_EQ(taking, 1) << "of " << threads << " threads";
  EXPECT_TRUE(std::filesystem::exists(checkpoint_file(checkpoint_dir(run))));
}

TEST(TrainCli, RefusesADirectoryThatIsNotARun) {
  const Task t = make_task("train-cli-not-a-run");
  auto result = testing::run_cli(train_args(t, t.dir));  // holds data.csv and tiny.json
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("not a greenbert run directory"), std::string::npos) << result.err;
  auto nothing = testing::run_cli(cat("train --out ", (t.dir / "new").string(), " --resume"));
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_NE(nothing.err.find("nothing to resume"), std::string::npos) << nothing.err;
  auto two_sources = testing::run_cli(train_args(t, t.dir / "new", "--preset bert-tiny"));
  EXPECT_EQ(two_sources.exit_code, 2) << "a usage error";
}

// Fine-tuning an HF checkpoint: its encoder is kept, its 2-label head replaced for our labels.
TEST(TrainCli, FineTunesTheSharedTinyCheckpoint) {
  GREENBERT_SHARED_PATH(init, "models/tiny-random-BertForSequenceClassification");
  const Task t = make_task("train-cli-init", 200);
  const auto run = t.dir / "run";
  auto result = testing::run_cli(cat("train --data ", t.data.string(),
                                     " --split-ratios 0.8,0.1,0.1 --init ", init.string(),
                                     " --epochs 1 --batch-size 8 --max-length 48 "
                                     "--lr 1e-3 --threads 1 --out ",
                                     run.string()));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("replaced"), std::string::npos) << result.err;
  const auto metrics = json::parse(read_file(run / "metrics.json"));
  EXPECT_EQ(metrics["model"]["vocab_size"], 1124);
  EXPECT_EQ(metrics["model"]["layers"], 5);
  const ClassifierModel model = load_model(ModelDirectory::open(run));
  const ClassifierModel original = load_model(ModelDirectory::open(init));
  EXPECT_EQ(model.config.labels, LabelMap::load(run / "labels.json").names());
  EXPECT_EQ(model.config.num_labels(), metrics["data"]["labels"].get<int64_t>());
  EXPECT_EQ(model.config.type_vocab_size, original.config.type_vocab_size);
  EXPECT_EQ(model.tokenizer.vocab().size(), original.tokenizer.vocab().size());
}

}  // namespace
}  // namespace greenbert
