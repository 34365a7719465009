#include "train/linear_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/atomic_file.h"
#include "core/directory_lock.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/run_seeds.h"
#include "data/batching.h"
#include "data/seeded_random.h"
#include "energy/energy_tracker.h"
#include "infer/classifier.h"
#include "report/metrics.h"
#include "train/label_prior.h"
#include "train/linear_sgd.h"
#include "train/run_directory.h"
#include "train/run_logs.h"
#include "train/run_summary.h"
#include "train/threshold_mode.h"

namespace greenbert {

void validate(const LinearTrainOptions& o) {
  if (o.epochs < 1) fail("--epochs must be at least 1, got ", o.epochs);
  if (!(o.lr > 0 && o.lr <= 100)) fail("--lr must be in (0, 100], got ", o.lr);
  if (o.max_length < 3) fail("--max-length must be at least 3, got ", o.max_length);
}

namespace {

using Clock = std::chrono::steady_clock;

// A bigram seen in a single training text is noise to a linear model (and its largest idf).
constexpr int64_t kMinBigramTexts = 2;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The features of every example, back to back: example i is features[offsets[i], offsets[i+1]).
struct FeatureMatrix {
  std::vector<Feature> features;
  std::vector<int64_t> offsets{0};

  std::span<const Feature> row(int64_t i) const {
    return std::span<const Feature>(features).subspan(
        static_cast<size_t>(offsets[i]), static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
};

FeatureMatrix feature_matrix(const LinearModel& model, const EncodedExamples& data) {
  FeatureMatrix m;
  std::vector<Feature> row;
  for (int64_t i = 0; i < data.size(); ++i) {
    linear_features(model, data.example_ids(i), row);
    m.features.insert(m.features.end(), row.begin(), row.end());
    m.offsets.push_back(static_cast<int64_t>(m.features.size()));
  }
  return m;
}

void initialize(LinearModel& model, std::span<const Example> train, uint64_t seed) {
  const LinearConfig& c = model.config;
  model.input.assign(static_cast<size_t>(c.features() * c.width()), 0.0f);
  if (c.dim > 0) {
    // fastText's start: inputs uniform in ±1/dim, outputs zero.
    SeededRandom random(seed);
    const double range = 1.0 / static_cast<double>(c.dim);
    for (float& v : model.input)
      v = static_cast<float>((static_cast<double>(random.next() >> 11) * 0x1.0p-53 * 2 - 1) *
                             range);
    model.output_weight.assign(static_cast<size_t>(c.num_labels() * c.dim), 0.0f);
  } else {
    model.output_weight.clear();
  }
  // As for an encoder's fresh head (train/label_prior.h): start at the labels' prior.
  model.output_bias = label_prior_logits(train, static_cast<size_t>(c.num_labels()));
}

class LinearTrainer {
 public:
  LinearTrainer(const LinearTrainRun& run, LinearModel& model, const Dataset& dataset)
      : run_(run),
        o_(run.options),
        model_(model),
        dataset_(dataset),
        labels_(model.config.num_labels()),
        train_(encode(dataset.train)),
        val_(encode(dataset.val)),
        test_(encode(dataset.test)),
        val_targets_(target_matrix(val_, labels_)),
        logs_(run.dir),
        csv_(run.dir / "emissions.csv") {}

  nlohmann::ordered_json run() {
    logs_.start();
    for (const char* stale :
         {model_files::kWeights, model_files::kThresholds, kTrainingRunFiles.metrics})
      std::filesystem::remove(run_.dir / stale);
    const auto start = Clock::now();
    {
      EnergyTracker tracker("train", csv_, run_.energy, "greenbert", "train");
      std::vector<std::span<const int32_t>> documents;
      for (int64_t i = 0; i < train_.size(); ++i) documents.push_back(train_.example_ids(i));
      choose_bigrams(model_, documents, o_.max_bigrams, kMinBigramTexts);
      if (model_.config.weighting == FeatureWeighting::tfidf)
        model_.idf = inverse_document_frequency(model_, documents);
      initialize(model_, dataset_.train, derive_seed(o_.seed, SeedPurpose::model_init));
      const FeatureMatrix train = feature_matrix(model_, train_);
      const FeatureMatrix val = feature_matrix(model_, val_);
      const std::vector<float> train_targets = float_targets(train_);
      Progress progress("train", o_.epochs, "epochs");
      for (int64_t epoch = 0; epoch < o_.epochs; ++epoch) {
        const auto epoch_start = Clock::now();
        const double loss = train_epoch(train, train_targets, epoch);
        train_seconds_ += seconds_since(epoch_start);
        tracker.add_work(train_.size(), train_.tokens());
        logs_.add_step({epoch + 1, static_cast<double>(epoch + 1), loss, lr_at(epoch + 1, 0), 0,
                        static_cast<double>(train_.size()) / seconds_since(epoch_start),
                        seconds_since(start)});
        logs_.flush();
        validate_epoch(val, epoch + 1, seconds_since(start));
        progress.update(epoch + 1, cat("loss ", loss));
      }
      progress.finish();
      tracker.stop();
    }
    model_ = best_;
    save_linear_model(run_.dir, model_);
    return finish(seconds_since(start));
  }

 private:
  EncodedExamples encode(std::span<const Example> examples) const {
    return encode_examples(model_.tokenizer, examples, dataset_.text,
                           static_cast<size_t>(o_.max_length));
  }

  std::vector<float> float_targets(const EncodedExamples& data) const {
    const std::vector<uint8_t> targets = target_matrix(data, labels_);
    return std::vector<float>(targets.begin(), targets.end());
  }

  // The learning rate after `epochs` full epochs and `examples` more, decaying to 0.
  double lr_at(int64_t epochs, int64_t examples) const {
    const double total = static_cast<double>(o_.epochs * train_.size());
    const double done = static_cast<double>(epochs * train_.size() + examples);
    return o_.lr * std::max(0.0, 1.0 - done / total);
  }

  // One SGD pass in the epoch's seeded order; returns the mean loss per label, as validation's.
  double train_epoch(const FeatureMatrix& train, const std::vector<float>& targets, int64_t epoch) {
    const int64_t L = labels_;
    std::vector<int64_t> order(static_cast<size_t>(train_.size()));
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    SeededRandom random(derive_seed(o_.seed, SeedPurpose::epoch_order, uint64_t(epoch)));
    seeded_shuffle(std::span<int64_t>(order), random);
    LinearStepScratch scratch;
    double loss = 0;
    for (int64_t k = 0; k < train_.size(); ++k) {
      const int64_t i = order[size_t(k)];
      loss += linear_sgd_step(model_, train.row(i),
                              std::span<const float>(targets).subspan(size_t(i * L), size_t(L)),
                              static_cast<float>(lr_at(epoch, k)), scratch);
    }
    return loss / static_cast<double>(train_.size() * L);
  }

  std::vector<float> probabilities(const FeatureMatrix& data, int64_t n) const {
    std::vector<float> logits(static_cast<size_t>(n * labels_));
    std::vector<float> hidden(static_cast<size_t>(model_.config.width()));
    for (int64_t i = 0; i < n; ++i)
      linear_forward(model_, data.row(i), hidden,
                     std::span<float>(logits).subspan(size_t(i * labels_), size_t(labels_)));
    return probabilities_of(logits, labels_, OutputActivation::sigmoid);
  }

  void validate_epoch(const FeatureMatrix& val, int64_t epoch, double elapsed) {
    const std::vector<float> p = probabilities(val, val_.size());
    // Chosen by the micro-F1 at the best global threshold, which the model will use: at 0.5 the
    // ranking of epochs is noisier (the prior shifts with the learning rate).
    const ThresholdChoice tuned = tune_thresholds(p, val_targets_, labels_);
    const MultiLabelMetrics m = compute_metrics(p, val_targets_, labels_, {&tuned.global, 1});
    double loss = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      const double q = std::clamp(static_cast<double>(p[i]), 1e-7, 1 - 1e-7);
      loss -= val_targets_[i] ? std::log(q) : std::log(1 - q);
    }
    loss /= static_cast<double>(p.size());
    logs_.add_validation(
        {static_cast<double>(epoch), epoch, loss, m.micro_f1, m.macro_f1, elapsed});
    const bool best =
        m.micro_f1 > best_micro_f1_ || (m.micro_f1 == best_micro_f1_ && loss < best_val_loss_);
    std::fprintf(stderr,
                 "validation at epoch %lld: loss %.4f, micro-F1 %.4f, macro-F1 %.4f (threshold "
                 "%.2f)%s\n",
                 static_cast<long long>(epoch), loss, m.micro_f1, m.macro_f1,
                 static_cast<double>(tuned.global), best ? ": best so far" : "");
    if (best) {
      best_micro_f1_ = m.micro_f1;
      best_val_loss_ = loss;
      best_epoch_ = epoch;
      best_ = model_;
    }
  }

  // Logits of `data` through the path eval and predict take (linear_forward over token
  // batches), in an energy-tracked phase.
  std::vector<float> evaluate(const EncodedExamples& data, const char* experiment) {
    EnergyTracker tracker("eval", csv_, run_.energy, "greenbert", experiment);
    const auto logits =
        predict_logits([this](const TokenBatch& batch,
                              std::span<float> out) { linear_forward(model_, batch, out); },
                       labels_, 64, data);
    tracker.add_work(data.size(), data.tokens());
    tracker.stop();
    return probabilities_of(logits, labels_, OutputActivation::sigmoid);
  }

  nlohmann::ordered_json finish(double elapsed) {
    const auto& names = model_.config.labels;
    const std::vector<float> val = evaluate(val_, "eval-val");
    std::vector<float> test;
    std::vector<uint8_t> test_targets;
    if (test_.size() > 0) {
      test = evaluate(test_, "eval-test");
      test_targets = target_matrix(test_, labels_);
    }
    const ThresholdResult tuned = choose_thresholds(val, val_targets_, test, test_targets, names);
    model_.thresholds = tuned.thresholds;
    save_thresholds(run_.dir / model_files::kThresholds, model_.thresholds, names);
    const LinearConfig& c = model_.config;
    nlohmann::ordered_json metrics;
    metrics["format"] = "greenbert-metrics";
    metrics["version"] = 1;
    metrics["model"] = {{"name", run_.model_name},
                        {"model_type", kLinearModelType},
                        {"parameters", model_.parameter_count()},
                        {"layers", 0},
                        {"hidden", c.dim},
                        {"precision", "fp32"},
                        {"vocab_size", c.vocab_size},
                        {"bigrams", c.bigrams},
                        {"weighting", weighting_name(c.weighting)}};
    metrics["data"] = {{"path", run_.data_path},
                       {"train", train_.size()},
                       {"val", val_.size()},
                       {"test", test_.size()},
                       {"labels", labels_},
                       {"max_length", o_.max_length},
                       {"text", text_input_name(dataset_.text)}};
    metrics["training"] = {
        {"epochs", o_.epochs},
        {"steps", o_.epochs * train_.size()},
        {"seconds", train_seconds_},
        {"sequences_per_second",
         train_seconds_ > 0 ? static_cast<double>(o_.epochs * train_.size()) / train_seconds_
                            : 0.0},
        {"best_epoch", best_epoch_},
        {"batch_size", 1},
        {"lr", o_.lr},
        {"optimizer", "sgd, linear decay"},
        {"threads", 1},
        {"seed", o_.seed},
        {"best_val_micro_f1_tuned", best_micro_f1_},
        {"max_bigrams", o_.max_bigrams},
        {"min_bigram_texts", kMinBigramTexts},
        {"elapsed_seconds", elapsed}};
    for (const auto& [key, value] : tuned.metrics.items()) metrics[key] = value;
    metrics["energy"] = energy_json(csv_);
    write_file_atomically(run_.dir / kTrainingRunFiles.metrics, metrics.dump(2) + "\n");
    print_test_line(tuned, test_.size());
    return metrics;
  }

  const LinearTrainRun& run_;
  const LinearTrainOptions& o_;
  LinearModel& model_;
  const Dataset& dataset_;
  const int64_t labels_;
  const EncodedExamples train_, val_, test_;
  const std::vector<uint8_t> val_targets_;
  RunLogs logs_;
  const std::filesystem::path csv_;
  LinearModel best_ = model_;
  double best_micro_f1_ = -1, best_val_loss_ = 0;
  int64_t best_epoch_ = 0;
  double train_seconds_ = 0;
};

}  // namespace

nlohmann::ordered_json train_linear_classifier(const LinearTrainRun& run, LinearModel& model,
                                               const Dataset& dataset) {
  validate(run.options);
  validate(model.config, "linear model");
  if (model.config.labels != dataset.labels.names())
    fail("the model's ", model.config.num_labels(), " labels are not the data's ",
         dataset.labels.size(), " labels");
  if (dataset.train.empty()) fail("the training split is empty");
  if (dataset.val.empty())
    fail(
        "the validation split is empty: training needs it to pick the best epoch and tune the "
        "thresholds (see --split-ratios)");
  std::filesystem::create_directories(run.dir);
  DirectoryLock lock(run.dir, "train.lock",
                     "another `greenbert train` is using this run directory");
  LinearTrainer trainer(run, model, dataset);
  return trainer.run();
}

}  // namespace greenbert
