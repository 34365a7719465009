#include "train/trainer.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "core/atomic_file.h"
#include "core/content_hash.h"
#include "core/directory_lock.h"
#include "core/number_format.h"
#include "core/progress.h"
#include "core/run_seeds.h"
#include "data/batching.h"
#include "data/data_fingerprint.h"
#include "data/label_map.h"
#include "energy/energy_tracker.h"
#include "infer/classifier.h"
#include "kernels/adamw.h"
#include "kernels/loss.h"
#include "model/bert.h"
#include "model/optimizer.h"
#include "report/eval_record.h"
#include "report/metrics.h"
#include "text/vocab_trainer.h"
#include "train/run_directory.h"
#include "train/run_logs.h"
#include "train/run_summary.h"
#include "train/schedule.h"
#include "train/threshold_mode.h"

namespace greenbert {

void validate(const TrainOptions& o) {
  auto at_least = [](const char* option, int64_t value, int64_t min) {
    if (value < min) fail(option, " must be at least ", min, ", got ", value);
  };
  // Upper bounds keep products such as batch size x length x epochs far from overflowing; the
  // memory a batch needs is checked against this machine when it is allocated.
  auto at_most = [](const char* option, int64_t value, int64_t max) {
    if (value > max) fail(option, " must be at most ", max, ", got ", value);
  };
  at_most("--epochs", o.epochs, 1'000'000);
  at_most("--batch-size", o.batch_size, 1 << 20);
  at_most("--grad-accum", o.grad_accum, 1 << 20);
  at_most("--max-length", o.max_length, 1 << 20);
  at_least("--epochs", o.epochs, 1);
  at_least("--batch-size", o.batch_size, 1);
  at_least("--grad-accum", o.grad_accum, 1);
  at_least("--max-length", o.max_length, 3);  // [CLS] a [SEP], or a pair's [SEP] too
  at_least("--eval-every", o.eval_every, 0);
  at_least("--checkpoint-every", o.checkpoint_every, 1);
  if (!(o.lr > 0 && o.lr < 1)) fail("--lr must be in (0, 1), got ", o.lr);
  if (!(o.weight_decay >= 0 && o.weight_decay < 1))
    fail("--weight-decay must be in [0, 1), got ", o.weight_decay);
  if (!(o.max_grad_norm >= 0 && std::isfinite(o.max_grad_norm)))
    fail("--max-grad-norm must be >= 0 (0 turns clipping off), got ", o.max_grad_norm);
  if (o.precision == Precision::int8)
    fail("--precision int8 is for inference (quantize); training runs at fp32 or bf16");
  if (!(o.warmup >= 0 && std::isfinite(o.warmup)))
    fail("--warmup must be >= 0 (a ratio below 1, or a number of steps), got ", o.warmup);
}

std::filesystem::path checkpoint_dir(const std::filesystem::path& run_dir) {
  return run_dir / "checkpoint";
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int64_t ceil_div(int64_t a, int64_t b) {
  return (a + b - 1) / b;
}

constexpr double kLogFlushSeconds = 5.0;
constexpr double kProgressSeconds = 0.25;  // Progress redraws a terminal line at most this often

EnergySnapshot& operator+=(EnergySnapshot& a, const EnergySnapshot& b) {
  a.method = b.method;
  a.seconds += b.seconds;
  a.joules += b.joules;
  a.kwh += b.kwh;
  a.kg_co2eq += b.kg_co2eq;
  return a;
}

std::vector<float> as_floats(std::span<const uint8_t> values) {
  return std::vector<float>(values.begin(), values.end());
}

class Trainer {
 public:
  Trainer(const TrainRun& run, ClassifierModel& model, const Dataset& dataset)
      : run_(run),
        o_(run.options),
        group_(run.group),
        model_(model),
        dataset_(dataset),
        labels_(model.config.num_labels()),
        train_(encode(dataset.train)),
        val_(encode(dataset.val)),
        test_(encode(dataset.test)),
        lengths_(train_.lengths()),
        val_targets_(target_matrix(val_, labels_)),
        val_target_floats_(as_floats(val_targets_)),
        batches_per_epoch_(batch_count(train_.size(), o_.batch_size)),
        total_steps_(o_.epochs * ceil_div(batches_per_epoch_, o_.grad_accum)),
        schedule_{o_.lr, warmup_steps(o_.warmup, total_steps_), total_steps_},
        acts_(model.config, {o_.batch_size * o_.max_length, o_.batch_size, o_.max_length}),
        grads_(ParameterBuffer::zeros_like(model.params)),
        adam_(model.params),
        targets_(static_cast<size_t>(o_.batch_size * labels_)),
        logits_(targets_.size()),
        dlogits_(targets_.size()),
        logs_(run.dir),
        csv_(run.dir / "emissions.csv") {
    reserve_batch(batch_, o_.batch_size, o_.max_length, !train_.token_types.empty());
  }

  nlohmann::ordered_json run() {
    start_or_resume();
    while (state_.epoch < o_.epochs) {
      if (validation_due()) {
        validate();
        if (state_.batch == batches_per_epoch_) {
          ++state_.epoch;
          state_.batch = 0;
        }
        save_state();
        stop_if_asked();
      } else {
        train_until_validation();
      }
    }
    return finish();
  }

 private:
  EncodedExamples encode(std::span<const Example> examples) const {
    return encode_examples(model_.tokenizer, examples, dataset_.text,
                           static_cast<size_t>(o_.max_length));
  }

  double elapsed() const { return elapsed_base_ + seconds_since(session_start_); }
  double fractional_epoch() const {
    return static_cast<double>(state_.epoch) +
           static_cast<double>(state_.batch) / static_cast<double>(batches_per_epoch_);
  }
  // A validation point (an epoch end, or a multiple of eval_every) not validated yet.
  bool validation_due() const {
    if (state_.step <= state_.validated_step) return false;
    return state_.batch == batches_per_epoch_ ||
           (o_.eval_every > 0 && state_.step % o_.eval_every == 0);
  }
  bool stop_asked() const { return run_.stop != nullptr && run_.stop->load(); }
  void stop_if_asked() const {
    if (stop_asked())
      throw TrainingInterrupted(cat("training interrupted at step ", state_.step, " of ",
                                    total_steps_, "; the checkpoint in ",
                                    checkpoint_dir(run_.dir).string(), " is up to date"));
  }

  void start_or_resume() {
    if (group_.leader()) {
      remove_stale_temporaries(run_.dir);
      remove_stale_temporaries(checkpoint_dir(run_.dir));
    }
    const auto loaded = load_checkpoint(checkpoint_dir(run_.dir), model_.params, adam_);
    const DataFingerprint data = fingerprint_of(dataset_);
    if (loaded) {
      check_same_run(*loaded, data);
      state_ = *loaded;
      state_.data = data;
      if (!group_.leader()) return check_ranks_agree();
      logs_.resume(state_.step, state_.validated_step);
      std::fprintf(
          stderr, "train: resuming from %s: step %lld of %lld (epoch %lld, batch %lld of %lld)\n",
          checkpoint_file(checkpoint_dir(run_.dir)).c_str(), static_cast<long long>(state_.step),
          static_cast<long long>(total_steps_), static_cast<long long>(state_.epoch + 1),
          static_cast<long long>(state_.batch), static_cast<long long>(batches_per_epoch_));
    } else {
      state_.seed = o_.seed;
      state_.batches_per_epoch = batches_per_epoch_;
      state_.total_steps = total_steps_;
      state_.data = data;
      if (!group_.leader()) return check_ranks_agree();
      for (const char* stale :
           {model_files::kWeights, model_files::kThresholds, kTrainingRunFiles.metrics})
        std::filesystem::remove(run_.dir / stale);
      // The description of the run's model; its weights come with the first validation.
      save_model(run_.dir,
                 ModelDescription{ModelKind::encoder, model_.config, model_.tokenizer, {}, nullptr},
                 nullptr);
      logs_.start();
    }
    check_ranks_agree();
  }

  // Every rank must start from the same step with the same parameters, or their updates would
  // differ from the first step on: they all read RUN_DIR's checkpoint (or the same --init).
  void check_ranks_agree() {
    elapsed_base_ = state_.elapsed_seconds;
    session_start_ = Clock::now();
    last_flush_ = session_start_;
    if (!group_.parallel()) return;
    ContentHash hash;
    hash.add(std::string_view(reinterpret_cast<const char*>(model_.params.data()),
                              static_cast<size_t>(model_.params.size()) * sizeof(float)));
    const std::string mine = cat("step ", state_.step, ", parameters ", hash.hex());
    const auto all = group_.gather_to_leader(mine);
    for (size_t rank = 1; rank < all.size(); ++rank)
      if (all[rank] != all[0])
        fail("rank ", rank, " starts at ", all[rank], " but rank 0 at ", all[0], ": every rank ",
             "must see the run directory ", run_.dir.string(),
             " (its checkpoint) and the same model to start from");
  }

  // A checkpoint continues only the run that wrote it: the same seed and batch plan, and the
  // same data (a data file changed since the run started would silently give one run's
  // metrics over two data sets), unless the caller accepts changed data (TrainRun::force).
  void check_same_run(const TrainingState& loaded, const DataFingerprint& data) const {
    const std::string file = checkpoint_file(checkpoint_dir(run_.dir)).string();
    const bool data_changed = !loaded.data.hash.empty() && !loaded.data.same_data(data);
    const std::string data_note = data_changed
                                      ? cat(" (the data has changed since: ", describe(loaded.data),
                                            " then, ", describe(data), " now)")
                                      : "";
    if (loaded.seed != o_.seed || loaded.batches_per_epoch != batches_per_epoch_ ||
        loaded.total_steps != total_steps_)
      fail(file, ": written for seed ", loaded.seed, ", ", loaded.batches_per_epoch,
           " batches per epoch and ", loaded.total_steps, " steps, but this run has seed ", o_.seed,
           ", ", batches_per_epoch_, " and ", total_steps_, data_note,
           ": resume with the data and options the run started with");
    if (loaded.data.hash.empty()) {
      std::fprintf(stderr,
                   "train: warning: %s predates data fingerprints: cannot check that the data "
                   "is the one the run started with\n",
                   file.c_str());
    } else if (data_changed && !run_.force) {
      fail(file, ": the run started on other data: ", describe(loaded.data), " then, ",
           describe(data),
           " now. Resuming would continue it on different data; restore the data the run "
           "started with, start a new run (another --out), or pass --force to continue on this "
           "data");
    } else if (data_changed) {
      std::fprintf(stderr,
                   "train: warning: --force: continuing on changed data (%s then, %s now); the "
                   "run's metrics mix two data sets\n",
                   describe(loaded.data).c_str(), describe(data).c_str());
    }
  }

  // Optimizer steps until a validation is due (the epoch end at the latest).
  void train_until_validation() {
    if (plan_epoch_ != state_.epoch) {
      plan_ = plan_epoch(lengths_, o_.batch_size, o_.seed, state_.epoch);
      plan_epoch_ = state_.epoch;
    }
    EnergyTracker tracker("train", rank_csv(), run_.energy, project_name(), "train");
    std::optional<Progress> progress;
    if (group_.leader()) progress.emplace("train", total_steps_, "steps", state_.step);
    auto extra = [&] {
      EnergySnapshot energy = energy_done_;
      energy += tracker.snapshot();
      const double rate = session_train_seconds_ > 0
                              ? static_cast<double>(session_sequences_) / session_train_seconds_
                              : 0.0;
      return cat("epoch ", state_.epoch + 1, "/", o_.epochs, " loss ",
                 fixed(loss_count_ > 0 ? loss_sum_ / static_cast<double>(loss_count_) : 0.0, 4),
                 " lr ", scientific(last_lr_), " ", fixed(rate, 1), " seq/s | ",
                 format_energy(energy));
    };
    std::string shown;  // the progress line's extra, rebuilt only when it can be shown
    auto last_shown = Clock::now() - std::chrono::seconds(1);
    while (!validation_due()) {
      const auto [sequences, tokens] = step();
      tracker.add_work(sequences, tokens);
      if (progress && seconds_since(last_shown) >= kProgressSeconds) {
        shown = extra();
        last_shown = Clock::now();
      }
      if (progress) progress->update(state_.step, shown);
      if (run_.on_step) run_.on_step(state_);
      if (stop_asked() || state_.step % o_.checkpoint_every == 0 || validation_due()) save_state();
      stop_if_asked();
      if (seconds_since(last_flush_) > kLogFlushSeconds) flush_logs();
    }
    if (progress) progress->finish(extra());
    energy_done_ += tracker.snapshot();
    stop_tracking(tracker);
  }

  // The leader writes emissions.csv; the other ranks' trackers write nothing (rank_csv) and
  // their rows come to the leader here, rank by rank, once every rank has ended the phase.
  std::filesystem::path rank_csv() const { return group_.leader() ? csv_ : ""; }
  std::string project_name() const {
    return group_.parallel() ? cat("greenbert rank ", group_.rank, "/", group_.ranks) : "greenbert";
  }
  void stop_tracking(EnergyTracker& tracker) {
    tracker.stop_or_warn();
    if (!group_.parallel()) return;
    std::string mine;
    if (!group_.leader()) {
      try {
        mine = format_emissions_row(tracker.stop()) + format_details_line(tracker.details());
      } catch (const std::exception&) {
        // stop_or_warn said why; the leader gets no row from this rank for the phase
      }
    }
    const auto rows = group_.gather_to_leader(mine);
    for (size_t rank = 1; rank < rows.size(); ++rank) {
      if (rows[rank].empty()) continue;
      try {
        const std::string where = cat("rank ", rank, "'s energy row");
        const size_t row_end = rows[rank].find('\n') + 1;
        append_emissions_row(csv_, parse_emissions_row(rows[rank].substr(0, row_end), where));
        append_details(details_path_for(csv_),
                       parse_details_line(std::string_view(rows[rank]).substr(row_end), where));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "greenbert: warning: rank %zu's energy was not recorded: %s\n", rank,
                     e.what());
      }
    }
  }

  // One optimizer update over up to grad_accum micro-batches; returns the sequences and tokens
  // it trained on.
  std::pair<int64_t, int64_t> step() {
    const auto start = Clock::now();
    const int64_t group = std::min(o_.grad_accum, batches_per_epoch_ - state_.batch);
    grads_.zero();
    double loss = 0;
    int64_t sequences = 0, tokens = 0;
    for (int64_t k = 0; k < group; ++k) {
      const auto global_batch = plan_.batch(state_.batch + k);
      const auto indices = shard_of(global_batch);
      if (indices.empty()) continue;  // fewer sequences than ranks: nothing for this one
      const auto n = static_cast<size_t>(static_cast<int64_t>(indices.size()) * labels_);
      const auto logits = std::span<float>(logits_).first(n);
      const auto dlogits = std::span<float>(dlogits_).first(n);
      fill_batch(train_, indices, batch_);
      fill_targets(train_, indices, labels_, targets_);
      const uint64_t micro_batch = static_cast<uint64_t>(state_.step * o_.grad_accum + k);
      ForwardOptions options{true, derive_seed(o_.seed, SeedPurpose::dropout, micro_batch),
                             o_.precision};
      options.shard = dropout_offsets(global_batch, indices);
      forward(model_.config, model_.params, batch_, options, acts_, logits);
      // The update follows the mean loss of the group's micro-batches, each the mean over all
      // its sequences: this rank's shard weighs by its share of them.
      const double share =
          static_cast<double>(indices.size()) / static_cast<double>(global_batch.size());
      loss += share * bce_with_logits(logits.data(), targets_.data(), static_cast<int64_t>(n),
                                      dlogits.data());
      const float weight = static_cast<float>(indices.size()) /
                           static_cast<float>(static_cast<int64_t>(global_batch.size()) * group);
      if (weight != 1.0f) scale(dlogits.data(), static_cast<int64_t>(n), weight);
      backward(model_.config, model_.params, batch_, acts_, dlogits, grads_);
      sequences += static_cast<int64_t>(indices.size());
      tokens += batch_.tokens();
    }
    loss /= static_cast<double>(group);
    int64_t all_sequences = sequences;
    if (group_.parallel()) sum_over_ranks(loss, all_sequences);
    if (!std::isfinite(loss))
      fail("training diverged at step ", state_.step + 1, " (loss ", loss,
           "): try a lower --lr or more --warmup");
    const double norm = o_.max_grad_norm > 0
                            ? clip_gradients(grads_, static_cast<float>(o_.max_grad_norm))
                            : global_norm(grads_.data(), grads_.size());
    last_lr_ = learning_rate(schedule_, state_.step);
    AdamWHyper hyper;
    hyper.lr = static_cast<float>(last_lr_);
    hyper.weight_decay = static_cast<float>(o_.weight_decay);
    adamw_step(model_.params, grads_, adam_, hyper);
    ++state_.step;
    state_.batch += group;

    const double seconds = seconds_since(start);
    state_.train_seconds += seconds;
    state_.train_sequences += all_sequences;
    session_train_seconds_ += seconds;
    session_sequences_ += all_sequences;
    if (state_.batch == group) loss_sum_ = 0, loss_count_ = 0;  // running mean per epoch
    loss_sum_ += loss;
    ++loss_count_;
    if (group_.leader())
      logs_.add_step({state_.step, fractional_epoch(), loss, last_lr_, norm,
                      seconds > 0 ? static_cast<double>(all_sequences) / seconds : 0.0, elapsed()});
    return {sequences, tokens};
  }

  // This rank's contiguous part of a global batch (all of it for a single process).
  std::span<const int64_t> shard_of(std::span<const int64_t> global_batch) const {
    const size_t size = global_batch.size();
    const auto bound = [&](int rank) {
      return size * static_cast<size_t>(rank) / static_cast<size_t>(group_.ranks);
    };
    return global_batch.subspan(bound(group_.rank), bound(group_.rank + 1) - bound(group_.rank));
  }

  // Where `shard` starts in `global_batch`, for its dropout masks (model/activations.h).
  DropoutOffsets dropout_offsets(std::span<const int64_t> global_batch,
                                 std::span<const int64_t> shard) const {
    DropoutOffsets offsets;
    const auto before = static_cast<size_t>(shard.data() - global_batch.data());
    for (const int64_t example : global_batch.first(before)) {
      const int64_t length = lengths_[static_cast<size_t>(example)];
      offsets.tokens += length;
      offsets.sequences += 1;
      offsets.attention_probs += model_.config.num_heads * length * length;
    }
    return offsets;
  }

  // Sums the gradients, the loss and the sequence count of every rank's shard, in rank order.
  void sum_over_ranks(double& loss, int64_t& sequences) {
    const auto start = Clock::now();
    group_.sum_in_rank_order({grads_.data(), static_cast<size_t>(grads_.size())});
    float totals[2] = {static_cast<float>(loss), static_cast<float>(sequences)};
    group_.sum_in_rank_order(totals);
    loss = totals[0];
    sequences = static_cast<int64_t>(totals[1]);
    communication_seconds_ += seconds_since(start);
  }

  struct Evaluation {
    double loss = 0;
    std::vector<float> probabilities;
  };

  // Logits of `data` in an energy-tracked phase `experiment` (eval-val, eval-test).
  Evaluation evaluate(const BatchLogits& model, const EncodedExamples& data,
                      std::span<const float> targets, const char* experiment) {
    EnergyTracker tracker("eval", csv_, run_.energy, project_name(), experiment);
    Progress progress(experiment, data.size(), "sequences");
    const auto logits = predict_logits(model, labels_, o_.batch_size, data,
                                       [&](int64_t done) { progress.update(done); });
    tracker.add_work(data.size(), data.tokens());
    Evaluation result;
    if (!targets.empty())
      result.loss =
          bce_with_logits(logits.data(), targets.data(), static_cast<int64_t>(logits.size()));
    result.probabilities = probabilities_of(logits, labels_, OutputActivation::sigmoid);
    energy_done_ += tracker.snapshot();
    tracker.stop_or_warn();
    return result;
  }

  // The reference encoder over the live parameters: re-packing weights for the inference
  // session every epoch would cost more than it saves.
  BatchLogits reference_logits() {
    return [this](const TokenBatch& batch, std::span<float> logits) {
      forward(model_.config, model_.params, batch, {false, 0, Precision::fp32}, acts_, logits);
    };
  }

  // The leader validates; the other ranks wait for it in their next step's sum.
  void validate() {
    if (!group_.leader()) {
      state_.validated_step = state_.step;
      return;
    }
    const Evaluation eval = evaluate(reference_logits(), val_, val_target_floats_, "eval-val");
    const float half = 0.5f;
    const MultiLabelMetrics m =
        compute_metrics(eval.probabilities, val_targets_, labels_, {&half, 1});
    logs_.add_validation(
        {fractional_epoch(), state_.step, eval.loss, m.micro_f1, m.macro_f1, elapsed()});
    const bool best = m.micro_f1 > state_.best_micro_f1 ||
                      (m.micro_f1 == state_.best_micro_f1 && eval.loss < state_.best_val_loss);
    std::fprintf(stderr,
                 "validation at epoch %.2f (step %lld): loss %.4f, micro-F1 %.4f, macro-F1 %.4f "
                 "(threshold 0.5)%s\n",
                 fractional_epoch(), static_cast<long long>(state_.step), eval.loss, m.micro_f1,
                 m.macro_f1, best ? ": best so far, saved" : "");
    if (best) {
      state_.best_micro_f1 = m.micro_f1;
      state_.best_val_loss = eval.loss;
      state_.best_step = state_.step;
      state_.best_epoch = fractional_epoch();
      save_model(run_.dir, model_);
    }
    state_.validated_step = state_.step;
  }

  void flush_logs() {
    if (!group_.leader()) return;
    logs_.flush();
    last_flush_ = Clock::now();
  }

  void save_state() {
    if (!group_.leader()) return;
    state_.elapsed_seconds = elapsed();
    flush_logs();  // the rows the checkpoint covers are on disk before it
    save_checkpoint(checkpoint_dir(run_.dir), state_, model_.params, adam_);
  }

  nlohmann::ordered_json finish() {
    if (!group_.leader()) return nlohmann::ordered_json::object();
    // The run's model is the best one saved; its thresholds are tuned on validation. It is read
    // back as `greenbert eval` reads it, so that eval reproduces these figures exactly.
    const Classifier best =
        open_classifier(ModelDirectory::open(run_.dir),
                        {o_.batch_size, o_.max_length, Precision::fp32, omp_get_max_threads()});
    const auto& names = best.config.labels;
    const Evaluation val = evaluate(best.logits, val_, {}, "eval-val");
    Evaluation test;
    std::vector<uint8_t> test_targets;
    if (test_.size() > 0) {
      test = evaluate(best.logits, test_, {}, "eval-test");
      test_targets = target_matrix(test_, labels_);
    }
    const ThresholdResult tuned =
        choose_thresholds(val.probabilities, val_targets_, test.probabilities, test_targets, names);
    save_thresholds(run_.dir / model_files::kThresholds, tuned.thresholds, names);
    nlohmann::ordered_json metrics;
    metrics["format"] = "greenbert-metrics";
    metrics["version"] = 1;
    metrics["model"] =
        to_json(summarize_model(run_.model_name, best.config, best.parameters, best.precision));
    metrics["data"] = {{"path", run_.data_path},      {"fingerprint", to_json(state_.data)},
                       {"train", train_.size()},      {"val", val_.size()},
                       {"test", test_.size()},        {"labels", labels_},
                       {"max_length", o_.max_length}, {"text", text_input_name(dataset_.text)}};
    metrics["training"] = {{"epochs", o_.epochs},
                           {"steps", state_.step},
                           {"seconds", state_.train_seconds},
                           {"sequences_per_second",
                            state_.train_seconds > 0
                                ? static_cast<double>(state_.train_sequences) / state_.train_seconds
                                : 0.0},
                           {"best_epoch", state_.best_epoch},
                           {"batch_size", o_.batch_size},
                           {"lr", o_.lr},
                           {"gemm_precision", precision_name(o_.precision)},
                           {"threads", omp_get_max_threads()},
                           {"ranks", group_.ranks},
                           {"grad_accum", o_.grad_accum},
                           {"warmup_steps", schedule_.warmup_steps},
                           {"weight_decay", o_.weight_decay},
                           {"max_grad_norm", o_.max_grad_norm},
                           {"seed", o_.seed},
                           {"best_step", state_.best_step},
                           {"best_val_micro_f1_at_0.5", state_.best_micro_f1},
                           {"elapsed_seconds", elapsed()}};
    if (group_.parallel())
      metrics["training"]["communication_seconds_this_session"] = communication_seconds_;
    for (const auto& [key, value] : tuned.metrics.items()) metrics[key] = value;
    add_energy(metrics);
    write_file_atomically(run_.dir / kTrainingRunFiles.metrics, metrics.dump(2) + "\n");
    std::filesystem::remove_all(checkpoint_dir(run_.dir));

    std::fprintf(stderr, "train: best model at epoch %.2f; threshold %.2f tuned on validation\n",
                 state_.best_epoch, static_cast<double>(tuned.choice.global));
    print_test_line(tuned, test_.size());
    return metrics;
  }

  // The energy blocks of metrics.json. Bookkeeping never fails a finished training: an
  // unreadable emissions log is a warning, and "energy_error" says why "energy" is empty.
  void add_energy(nlohmann::ordered_json& metrics) const {
    try {
      metrics["energy"] = energy_json(csv_);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "greenbert: warning: metrics.json has no energy figures: %s\n",
                   e.what());
      metrics["energy"] = nlohmann::ordered_json::object();
      metrics["energy_error"] = e.what();
    }
  }

  const TrainRun& run_;
  const TrainOptions& o_;
  const ProcessGroup& group_;
  ClassifierModel& model_;
  const Dataset& dataset_;
  const int64_t labels_;
  const EncodedExamples train_, val_, test_;
  const std::vector<int64_t> lengths_;
  const std::vector<uint8_t> val_targets_;
  const std::vector<float> val_target_floats_;
  const int64_t batches_per_epoch_, total_steps_;
  const LinearSchedule schedule_;
  Activations acts_;
  ParameterBuffer grads_;
  AdamWState adam_;
  TokenBatch batch_;
  std::vector<float> targets_, logits_, dlogits_;
  RunLogs logs_;
  const std::filesystem::path csv_;

  TrainingState state_;
  BatchPlan plan_;
  int64_t plan_epoch_ = -1;
  Clock::time_point session_start_, last_flush_;
  double elapsed_base_ = 0;
  double session_train_seconds_ = 0;
  int64_t session_sequences_ = 0;
  double communication_seconds_ = 0;  // this session's, in summing gradients over the ranks
  double loss_sum_ = 0;
  int64_t loss_count_ = 0;
  double last_lr_ = 0;
  EnergySnapshot energy_done_;  // of this session's finished phases, for the progress line
};

void check_inputs(const TrainRun& run, const ClassifierModel& model, const Dataset& dataset) {
  validate(run.options);
  if (model.config.labels != dataset.labels.names())
    fail("the model's ", model.config.num_labels(), " labels are not the data's ",
         dataset.labels.size(), " labels");
  if (run.options.max_length > model.config.max_position_embeddings)
    fail("--max-length ", run.options.max_length, " exceeds the model's ",
         model.config.max_position_embeddings, " positions");
  if (dataset.train.empty()) fail("the training split is empty");
  if (dataset.val.empty())
    fail(
        "the validation split is empty: training needs it to pick the best epoch and tune the "
        "threshold (see --split-ratios)");
}

}  // namespace

nlohmann::ordered_json train_classifier(const TrainRun& run, ClassifierModel& model,
                                        const Dataset& dataset) {
  check_inputs(run, model, dataset);
  // One training process per run directory (the leader of several ranks): a second one would
  // interleave logs and overwrite the other's checkpoints.
  std::optional<DirectoryLock> lock;
  if (run.group.leader()) {
    std::filesystem::create_directories(run.dir);
    lock.emplace(run.dir, "train.lock", "another `greenbert train` is using this run directory");
  }
  Trainer trainer(run, model, dataset);
  return trainer.run();
}

}  // namespace greenbert
