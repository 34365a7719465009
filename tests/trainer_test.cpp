// The trainer (train/trainer.h) on a synthetic task with a tiny model: it learns, it is
// bit-reproducible, and an interrupted run resumed from its checkpoint ends bit-identical to an
// uninterrupted one.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <numeric>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/threads.h"
#include "support.h"
#include "train/trainer.h"
#include "train_support.h"

namespace greenbert {
namespace {

TrainOptions tiny_options() {
  TrainOptions o;
  o.epochs = 4;
  o.batch_size = 8;
  o.lr = 5e-3;
  o.warmup = 0.1;
  o.max_length = 48;
  o.checkpoint_every = 7;
  o.seed = 7;
  return o;
}

// One thread: the test runner runs two test processes at once on small machines, and
// bit-reproducibility holds for a fixed thread count anyway.
TrainRun tiny_run(const std::filesystem::path& dir, const TrainOptions& options) {
  set_thread_count(1);
  TrainRun run;
  run.dir = dir;
  run.options = options;
  run.model_name = "tiny";
  run.data_path = "synthetic";
  return run;
}

std::vector<double> losses(const std::filesystem::path& train_log) {
  std::vector<double> values;
  std::ifstream in(train_log);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string step, epoch, loss;
    std::getline(fields, step, ',');
    std::getline(fields, epoch, ',');
    std::getline(fields, loss, ',');
    values.push_back(std::stod(loss));
  }
  return values;
}

void expect_same_run(const std::filesystem::path& a, const std::filesystem::path& b) {
  EXPECT_EQ(read_file(a / "model.safetensors"), read_file(b / "model.safetensors"));
  EXPECT_EQ(read_file(a / "thresholds.json"), read_file(b / "thresholds.json"));
  // step,epoch,loss,lr,grad_norm — without seqs_per_s and elapsed_s.
  EXPECT_EQ(testing::deterministic_rows(a / "train_log.csv", 2),
            testing::deterministic_rows(b / "train_log.csv", 2));
  EXPECT_EQ(testing::deterministic_rows(a / "val_log.csv", 1),
            testing::deterministic_rows(b / "val_log.csv", 1));
  const auto ma = nlohmann::json::parse(read_file(a / "metrics.json"));
  const auto mb = nlohmann::json::parse(read_file(b / "metrics.json"));
  for (const char* key : {"val", "test", "test_threshold_0.5", "threshold"})
    EXPECT_EQ(ma[key], mb[key]) << key;
}

TEST(Trainer, LearnsTheSyntheticTaskAndIsBitReproducible) {
  const Dataset dataset = testing::synthetic_dataset(500, 1);
  const auto dir_a = testing::temp_dir("trainer-repro-a");
  const auto dir_b = testing::temp_dir("trainer-repro-b");
  TrainOptions options = tiny_options();
  options.checkpoint_every = 1000;  // at validations only: fewer fsyncs, a quicker test
  for (const auto& dir : {dir_a, dir_b}) {
    ClassifierModel model = testing::synthetic_model(dataset, 3);
    const auto metrics = train_classifier(tiny_run(dir, options), model, dataset);
    EXPECT_EQ(metrics["training"]["steps"], 200);
    EXPECT_GT(metrics["test"]["micro_f1"].get<double>(), 0.8);
  }
  const auto loss = losses(dir_a / "train_log.csv");
  ASSERT_EQ(loss.size(), 200u);
  const double first = std::accumulate(loss.begin(), loss.begin() + 50, 0.0) / 50;
  const double last = std::accumulate(loss.end() - 50, loss.end(), 0.0) / 50;
  EXPECT_LT(last, first * 0.7) << "first 50 steps " << first << ", last 50 " << last;
  expect_same_run(dir_a, dir_b);
  EXPECT_FALSE(std::filesystem::exists(checkpoint_dir(dir_a)));  // removed once finished
}

TEST(Trainer, InterruptedAndResumedRunEqualsAnUninterruptedOne) {
  const Dataset dataset = testing::synthetic_dataset(240, 2);
  TrainOptions options = tiny_options();
  options.epochs = 2;
  options.grad_accum = 2;  // 24 batches per epoch: 12 steps
  options.eval_every = 5;  // validations at steps 5, 10, 12 (epoch end), 15, 20, 24
  const auto straight = testing::temp_dir("trainer-straight");
  {
    ClassifierModel model = testing::synthetic_model(dataset, 4);
    train_classifier(tiny_run(straight, options), model, dataset);
  }
  // Stopped mid-epoch before a validation (step 5, between checkpoints), then at an epoch end
  // before its validation (step 12), then left to finish.
  const auto resumed = testing::temp_dir("trainer-resumed");
  for (int64_t stop_at : {5, 12, -1}) {
    std::atomic<bool> stop{false};
    TrainRun run = tiny_run(resumed, options);
    run.stop = &stop;
    run.on_step = [&](const TrainingState& state) {
      if (state.step == stop_at) stop = true;
    };
    // The first session starts from the straight run's initialisation; later ones from the
    // checkpoint, whatever the model passed in holds.
    ClassifierModel model = testing::synthetic_model(dataset, stop_at == 5 ? 4 : 99);
    if (stop_at < 0) {
      train_classifier(run, model, dataset);
    } else {
      EXPECT_THROW(train_classifier(run, model, dataset), TrainingInterrupted);
      EXPECT_TRUE(std::filesystem::exists(checkpoint_file(checkpoint_dir(resumed))));
    }
  }
  expect_same_run(straight, resumed);
  EXPECT_EQ(testing::deterministic_rows(straight / "val_log.csv", 1).size(), 7u);  // header + 6
}

TEST(Trainer, RefusesACheckpointOfOtherOptions) {
  const Dataset dataset = testing::synthetic_dataset(120, 3);
  const auto dir = testing::temp_dir("trainer-other-options");
  TrainOptions options = tiny_options();
  std::atomic<bool> stop{true};
  TrainRun run = tiny_run(dir, options);
  run.stop = &stop;
  ClassifierModel model = testing::synthetic_model(dataset, 5);
  EXPECT_THROW(train_classifier(run, model, dataset), TrainingInterrupted);
  run.options.seed = 8;
  run.stop = nullptr;
  try {
    train_classifier(run, model, dataset);
    FAIL() << "resumed with another seed";
  } catch (const TrainingInterrupted&) {
    FAIL() << "not interrupted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("seed"), std::string::npos) << e.what();
  }
}

TEST(Trainer, RejectsOptionsThatCannotTrain) {
  const Dataset dataset = testing::synthetic_dataset(120, 4);
  ClassifierModel model = testing::synthetic_model(dataset, 6);
  const auto dir = testing::temp_dir("trainer-bad-options");
  for (auto change : std::vector<std::function<void(TrainOptions&)>>{
           [](TrainOptions& o) { o.lr = 0; }, [](TrainOptions& o) { o.batch_size = 0; },
           [](TrainOptions& o) { o.warmup = 1e6; }, [](TrainOptions& o) { o.max_length = 65; }}) {
    TrainOptions options = tiny_options();
    change(options);
    EXPECT_THROW(train_classifier(tiny_run(dir, options), model, dataset), Error);
  }
  Dataset other = dataset;
  other.labels = LabelMap({"cs.AI"});
  EXPECT_THROW(train_classifier(tiny_run(dir, tiny_options()), model, other), Error);
}

}  // namespace
}  // namespace greenbert
