#include "train/pretrainer.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

#include "core/atomic_file.h"
#include "core/directory_lock.h"
#include "core/number_format.h"
#include "core/progress.h"
#include "core/run_seeds.h"
#include "energy/energy_tracker.h"
#include "kernels/adamw.h"
#include "model/bert.h"
#include "model/masked_lm.h"
#include "model/optimizer.h"
#include "model/replaced_token.h"
#include "report/eval_record.h"
#include "train/csv_log.h"
#include "train/run_directory.h"
#include "train/run_logs.h"
#include "train/run_summary.h"
#include "train/schedule.h"

namespace greenbert {

const char* objective_name(PretrainObjective objective) {
  return objective == PretrainObjective::mlm ? "mlm" : "rtd";
}

PretrainObjective parse_objective(const std::string& name) {
  if (name == "mlm") return PretrainObjective::mlm;
  if (name == "rtd") return PretrainObjective::rtd;
  fail("unknown pre-training objective '", name, "' (known: mlm, rtd)");
}

void validate(const PretrainOptions& o) {
  auto at_least = [](const char* option, int64_t value, int64_t min) {
    if (value < min) fail(option, " must be at least ", min, ", got ", value);
  };
  at_least("--epochs", o.epochs, 1);
  at_least("--batch-size", o.batch_size, 1);
  at_least("--grad-accum", o.grad_accum, 1);
  at_least("--max-length", o.max_length, 3);
  at_least("--eval-every", o.eval_every, 0);
  at_least("--checkpoint-every", o.checkpoint_every, 1);
  at_least("--generator-layers", o.generator_layers, 1);
  if (!(o.mask_probability > 0 && o.mask_probability < 1))
    fail("--mask-probability must be in (0, 1), got ", o.mask_probability);
  if (!(o.lr > 0 && o.lr < 1)) fail("--lr must be in (0, 1), got ", o.lr);
  if (!(o.weight_decay >= 0 && o.weight_decay < 1))
    fail("--weight-decay must be in [0, 1), got ", o.weight_decay);
  if (!(o.max_grad_norm >= 0 && std::isfinite(o.max_grad_norm)))
    fail("--max-grad-norm must be >= 0 (0 turns clipping off), got ", o.max_grad_norm);
  if (!(o.warmup >= 0 && std::isfinite(o.warmup)))
    fail("--warmup must be >= 0 (a ratio below 1, or a number of steps), got ", o.warmup);
  if (!(o.rtd_weight > 0 && std::isfinite(o.rtd_weight)))
    fail("--rtd-weight must be positive, got ", o.rtd_weight);
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kHeldoutHeader = "epoch,step,loss,accuracy,elapsed_s\n";
constexpr double kLogFlushSeconds = 5.0;
constexpr double kProgressSeconds = 0.25;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Room for the masked tokens of a batch of `tokens`: their expected number plus eight standard
// deviations (of the word count, for whole words of up to four pieces), so that a batch
// overflows about never; one that does has its excess positions unmasked (see cap_masked).
int64_t masked_capacity(int64_t tokens, double probability) {
  const double t = static_cast<double>(tokens);
  const double sd = std::sqrt(t * probability * (1 - probability) * 4.0);
  return std::min(tokens, static_cast<int64_t>(t * probability + 8 * sd) + 64);
}

// Keeps the first `capacity` masked tokens, restoring the input at the others.
void cap_masked(MaskedTokens& masked, TokenBatch& batch, int64_t capacity) {
  for (size_t i = static_cast<size_t>(capacity); i < masked.positions.size(); ++i)
    batch.input_ids[size_t(masked.positions[i])] = masked.labels[i];
  if (static_cast<int64_t>(masked.positions.size()) > capacity) {
    masked.positions.resize(static_cast<size_t>(capacity));
    masked.labels.resize(static_cast<size_t>(capacity));
  }
}

// ELECTRA's generator: the encoder's width with fewer layers, so that it can share the
// encoder's embeddings as they are.
BertConfig generator_config(const BertConfig& config, int64_t layers) {
  BertConfig generator = config;
  generator.num_layers = std::min(layers, config.num_layers);
  return generator;
}

bool shared_with_generator(const ParameterTensor& t) {
  return t.name.starts_with("bert.embeddings.");
}

// The generator's copies of the shared tensors become the encoder's.
void copy_shared(const ParameterBuffer& from, ParameterBuffer& to) {
  for (const ParameterTensor& t : to.layout().tensors()) {
    if (!shared_with_generator(t)) continue;
    const auto source = from.view(t.name);
    std::copy(source.begin(), source.end(), to.view(t).begin());
  }
}

// The generator's gradients of the shared tensors move into the encoder's.
void fold_shared_gradients(ParameterBuffer& generator, ParameterBuffer& encoder) {
  for (const ParameterTensor& t : generator.layout().tensors()) {
    if (!shared_with_generator(t)) continue;
    auto from = generator.view(t);
    auto to = encoder.view(t.name);
    for (size_t i = 0; i < from.size(); ++i) to[i] += from[i];
    std::fill(from.begin(), from.end(), 0.0f);
  }
}

EnergySnapshot& operator+=(EnergySnapshot& a, const EnergySnapshot& b) {
  a.method = b.method;
  a.seconds += b.seconds;
  a.joules += b.joules;
  a.kwh += b.kwh;
  a.kg_co2eq += b.kg_co2eq;
  return a;
}

// ELECTRA's second model and its training state.
struct Generator {
  Generator(const BertConfig& encoder, const PretrainOptions& o, int64_t max_tokens,
            int64_t max_masked)
      : config(generator_config(encoder, o.generator_layers)),
        params(make_parameters(config, {.masked_lm_head = true})),
        grads(ParameterBuffer::zeros_like(params)),
        adam(params),
        acts(config, {max_tokens, o.batch_size, o.max_length}),
        mlm(config, max_masked) {
    initialize_parameters(params, config, derive_seed(o.seed, SeedPurpose::generator_init));
  }
  BertConfig config;
  ParameterBuffer params, grads;
  AdamWState adam;
  Activations acts;
  MaskedLmActivations mlm;
  TokenBatch batch;  // its input: the masked batch
};

// What one micro-batch of either objective reports.
struct BatchOutcome {
  double loss = 0;          // the objective's loss (mlm: cross-entropy; rtd: generator + λ·disc.)
  int64_t hits = 0;         // masked tokens predicted right (mlm) / tokens classified right (rtd)
  int64_t scored = 0;       // masked tokens (mlm) / tokens (rtd)
  double heldout_loss = 0;  // what the held-out log shows: mlm loss, or the discriminator's
};

class Pretrainer {
 public:
  Pretrainer(const PretrainRun& run, ClassifierModel& model, const PretrainCorpus& corpus)
      : run_(run),
        o_(run.options),
        model_(model),
        corpus_(corpus),
        lengths_(corpus.train.lengths()),
        batches_per_epoch_(batch_count(corpus.train.size(), o_.batch_size)),
        total_steps_(o_.epochs * ((batches_per_epoch_ + o_.grad_accum - 1) / o_.grad_accum)),
        schedule_{o_.lr, warmup_steps(o_.warmup, total_steps_), total_steps_},
        max_tokens_(o_.batch_size * o_.max_length),
        max_masked_(masked_capacity(max_tokens_, o_.mask_probability)),
        acts_(model.config, {max_tokens_, o_.batch_size, o_.max_length}),
        grads_(ParameterBuffer::zeros_like(model.params)),
        adam_(model.params),
        logs_(run.dir),
        heldout_log_(run.dir / "heldout_log.csv"),
        csv_(run.dir / "emissions.csv") {
    const Vocab& vocab = model.tokenizer.vocab();
    masking_.probability = o_.mask_probability;
    masking_.mask_token_id = vocab.mask_id();
    masking_.special_token_ids.clear();
    for (int32_t id : {vocab.pad_id(), vocab.cls_id(), vocab.sep_id(), vocab.mask_id()})
      if (id >= 0) masking_.special_token_ids.push_back(id);
    if (o_.whole_word) masking_.continuation = continuation_flags(vocab);
    const bool typed = !corpus.train.token_types.empty();
    reserve_batch(batch_, o_.batch_size, o_.max_length, typed);
    if (o_.objective == PretrainObjective::mlm) {
      mlm_.emplace(model.config, max_masked_);
    } else {
      rtd_.emplace(model.config, max_tokens_);
      generator_ = std::make_unique<Generator>(model.config, o_, max_tokens_, max_masked_);
      reserve_batch(generator_->batch, o_.batch_size, o_.max_length, typed);
      is_replaced_.resize(static_cast<size_t>(max_tokens_));
    }
  }

  nlohmann::ordered_json run() {
    start_or_resume();
    while (state_.epoch < o_.epochs) {
      if (evaluation_due()) {
        evaluate_heldout();
        if (state_.batch == batches_per_epoch_) {
          ++state_.epoch;
          state_.batch = 0;
        }
        save_state();
        stop_if_asked();
      } else {
        train_until_evaluation();
      }
    }
    return finish();
  }

 private:
  double elapsed() const { return elapsed_base_ + seconds_since(session_start_); }
  double fractional_epoch() const {
    return static_cast<double>(state_.epoch) +
           static_cast<double>(state_.batch) / static_cast<double>(batches_per_epoch_);
  }
  bool evaluation_due() const {
    if (state_.step <= state_.validated_step) return false;
    return state_.batch == batches_per_epoch_ ||
           (o_.eval_every > 0 && state_.step % o_.eval_every == 0);
  }
  bool stop_asked() const { return run_.stop != nullptr && run_.stop->load(); }
  void stop_if_asked() const {
    if (stop_asked())
      throw PretrainingInterrupted(cat("pre-training interrupted at step ", state_.step, " of ",
                                       total_steps_, "; the checkpoint in ",
                                       (run_.dir / "checkpoint").string(), " is up to date"));
  }
  std::vector<CheckpointExtra> extras() {
    if (!generator_) return {};
    return {{"generator.", &generator_->params, &generator_->adam}};
  }

  void start_or_resume() {
    const auto checkpoint = run_.dir / "checkpoint";
    remove_stale_temporaries(run_.dir);
    remove_stale_temporaries(checkpoint);
    const auto loaded = load_checkpoint(checkpoint, model_.params, adam_, extras());
    if (loaded) {
      if (loaded->seed != o_.seed || loaded->batches_per_epoch != batches_per_epoch_ ||
          loaded->total_steps != total_steps_)
        fail(checkpoint_file(checkpoint).string(), ": written for seed ", loaded->seed, ", ",
             loaded->batches_per_epoch, " batches per epoch and ", loaded->total_steps,
             " steps, but this run has seed ", o_.seed, ", ", batches_per_epoch_, " and ",
             total_steps_, ": resume with the data and options the run started with");
      state_ = *loaded;
      logs_.resume(state_.step, state_.validated_step);
      keep_log_rows(heldout_log_, kHeldoutHeader, 1, state_.validated_step);
      std::fprintf(stderr, "pretrain: resuming from %s: step %lld of %lld (epoch %lld)\n",
                   checkpoint_file(checkpoint).c_str(), static_cast<long long>(state_.step),
                   static_cast<long long>(total_steps_), static_cast<long long>(state_.epoch + 1));
    } else {
      state_.seed = o_.seed;
      state_.batches_per_epoch = batches_per_epoch_;
      state_.total_steps = total_steps_;
      for (const char* stale : {model_files::kWeights, kPretrainingRunFiles.metrics})
        std::filesystem::remove(run_.dir / stale);
      // The description of the run's model, whose vocabulary a resumed run reads; its weights
      // come when it finishes.
      save_model(run_.dir,
                 ModelDescription{ModelKind::encoder, model_.config, model_.tokenizer, {}, nullptr},
                 nullptr);
      logs_.start();
      write_file_atomically(heldout_log_, kHeldoutHeader);
    }
    if (generator_) copy_shared(model_.params, generator_->params);
    elapsed_base_ = state_.elapsed_seconds;
    session_start_ = Clock::now();
    last_flush_ = session_start_;
  }

  void train_until_evaluation() {
    if (plan_epoch_ != state_.epoch) {
      plan_ = plan_epoch(lengths_, o_.batch_size, o_.seed, state_.epoch);
      plan_epoch_ = state_.epoch;
    }
    EnergyTracker tracker("pretrain", csv_, run_.energy, "greenbert", "pretrain");
    Progress progress("pretrain", total_steps_, "steps", state_.step);
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
    std::string shown;
    auto last_shown = Clock::now() - std::chrono::seconds(1);
    while (!evaluation_due()) {
      const auto [sequences, tokens] = step();
      tracker.add_work(sequences, tokens);
      if (seconds_since(last_shown) >= kProgressSeconds) {
        shown = extra();
        last_shown = Clock::now();
      }
      progress.update(state_.step, shown);
      if (run_.on_step) run_.on_step(state_);
      if (stop_asked() || state_.step % o_.checkpoint_every == 0 || evaluation_due()) save_state();
      stop_if_asked();
      if (seconds_since(last_flush_) > kLogFlushSeconds) flush_logs();
    }
    progress.finish(extra());
    energy_done_ += tracker.snapshot();
    tracker.stop();
  }

  // The forward and backward pass of one micro-batch (batch_ filled), gradients accumulated
  // with `scale_by` (1 / micro-batches per update); `training` off: forward only, fixed masks.
  BatchOutcome run_batch(uint64_t mask_seed, uint64_t micro_batch, float scale_by, bool training) {
    const uint64_t dropout_seed = derive_seed(o_.seed, SeedPurpose::dropout, micro_batch);
    return o_.objective == PretrainObjective::mlm
               ? mlm_batch(mask_seed, dropout_seed, scale_by, training)
               : rtd_batch(mask_seed, micro_batch, dropout_seed, scale_by, training);
  }

  BatchOutcome mlm_batch(uint64_t mask_seed, uint64_t dropout_seed, float scale_by, bool training) {
    MaskedTokens masked = mask_tokens(batch_, model_.config, masking_, mask_seed);
    cap_masked(masked, batch_, max_masked_);
    encoder_forward(model_.config, model_.params, batch_, {training, dropout_seed, o_.precision},
                    acts_);
    BatchOutcome out;
    out.loss = masked_lm_forward(model_.config, model_.params, acts_, masked, *mlm_);
    out.heldout_loss = out.loss;
    out.scored = static_cast<int64_t>(masked.positions.size());
    if (!training) {
      out.hits = masked_lm_hits(model_.config, masked, *mlm_);
      return out;
    }
    if (scale_by != 1.0f) scale(mlm_->logits, out.scored * model_.config.vocab_size, scale_by);
    masked_lm_backward(model_.config, model_.params, acts_, masked, *mlm_, grads_);
    encoder_backward(model_.config, model_.params, batch_, acts_, grads_);
    return out;
  }

  BatchOutcome rtd_batch(uint64_t mask_seed, uint64_t micro_batch, uint64_t dropout_seed,
                         float scale_by, bool training) {
    Generator& g = *generator_;
    g.batch = batch_;  // capacity was reserved: no allocation
    MaskedTokens masked = mask_tokens(g.batch, g.config, masking_, mask_seed);
    cap_masked(masked, g.batch, max_masked_);
    const uint64_t generator_dropout =
        derive_seed(o_.seed, SeedPurpose::generator_dropout, micro_batch);
    encoder_forward(g.config, g.params, g.batch, {training, generator_dropout, o_.precision},
                    g.acts);
    const float generator_loss = masked_lm_forward(g.config, g.params, g.acts, masked, g.mlm);
    // The discriminator reads the original text with the generator's samples at the masked
    // positions (in batch_, whose other tokens are the original ones).
    const auto T = static_cast<size_t>(batch_.tokens());
    const std::span<float> replaced(is_replaced_.data(), T);
    // The same seed as the masks: sample_replacements keys its draws apart from mask_tokens'.
    sample_replacements(g.config, masked, g.mlm, mask_seed, batch_.input_ids, replaced);
    encoder_forward(model_.config, model_.params, batch_, {training, dropout_seed, o_.precision},
                    acts_);
    const float weight = static_cast<float>(o_.rtd_weight) * scale_by;
    const float detection_loss =
        replaced_token_forward(model_.config, model_.params, acts_, replaced, weight, *rtd_);
    BatchOutcome out;
    out.loss = generator_loss + o_.rtd_weight * detection_loss;
    out.heldout_loss = detection_loss;
    out.hits = rtd_->hits;
    out.scored = static_cast<int64_t>(T);
    if (!training) return out;
    replaced_token_backward(model_.config, model_.params, acts_, *rtd_, grads_);
    encoder_backward(model_.config, model_.params, batch_, acts_, grads_);
    const auto M = static_cast<int64_t>(masked.positions.size());
    if (scale_by != 1.0f) scale(g.mlm.logits, M * g.config.vocab_size, scale_by);
    masked_lm_backward(g.config, g.params, g.acts, masked, g.mlm, g.grads);
    encoder_backward(g.config, g.params, g.batch, g.acts, g.grads);
    return out;
  }

  // Clips all gradients (the generator's too) by their joint norm; returns it.
  double clip() {
    double squares = std::pow(global_norm(grads_.data(), grads_.size()), 2);
    if (generator_)
      squares += std::pow(global_norm(generator_->grads.data(), generator_->grads.size()), 2);
    const double norm = std::sqrt(squares);
    if (o_.max_grad_norm > 0) {
      const float factor = clip_factor(norm, static_cast<float>(o_.max_grad_norm));
      scale(grads_.data(), grads_.size(), factor);
      if (generator_) scale(generator_->grads.data(), generator_->grads.size(), factor);
    }
    return norm;
  }

  std::pair<int64_t, int64_t> step() {
    const auto start = Clock::now();
    const int64_t group = std::min(o_.grad_accum, batches_per_epoch_ - state_.batch);
    grads_.zero();
    if (generator_) generator_->grads.zero();
    double loss = 0;
    int64_t sequences = 0, tokens = 0;
    for (int64_t k = 0; k < group; ++k) {
      const auto indices = plan_.batch(state_.batch + k);
      fill_batch(corpus_.train, indices, batch_);
      sequences += static_cast<int64_t>(indices.size());
      tokens += batch_.tokens();
      const uint64_t micro_batch = static_cast<uint64_t>(state_.step * o_.grad_accum + k);
      loss += run_batch(derive_seed(o_.seed, SeedPurpose::masking, micro_batch), micro_batch,
                        1.0f / static_cast<float>(group), true)
                  .loss;
    }
    loss /= static_cast<double>(group);
    if (!std::isfinite(loss))
      fail("pre-training diverged at step ", state_.step + 1, " (loss ", loss,
           "): try a lower --lr or more --warmup");
    if (generator_) fold_shared_gradients(generator_->grads, grads_);
    const double norm = clip();
    last_lr_ = learning_rate(schedule_, state_.step);
    AdamWHyper hyper;
    hyper.lr = static_cast<float>(last_lr_);
    hyper.weight_decay = static_cast<float>(o_.weight_decay);
    adamw_step(model_.params, grads_, adam_, hyper);
    if (generator_) {
      adamw_step(generator_->params, generator_->grads, generator_->adam, hyper);
      copy_shared(model_.params, generator_->params);
    }
    ++state_.step;
    state_.batch += group;

    const double seconds = seconds_since(start);
    state_.train_seconds += seconds;
    state_.train_sequences += sequences;
    session_train_seconds_ += seconds;
    session_sequences_ += sequences;
    if (state_.batch == group) loss_sum_ = 0, loss_count_ = 0;
    loss_sum_ += loss;
    ++loss_count_;
    logs_.add_step({state_.step, fractional_epoch(), loss, last_lr_, norm,
                    seconds > 0 ? static_cast<double>(sequences) / seconds : 0.0, elapsed()});
    return {sequences, tokens};
  }

  // The held-out loss and accuracy with the same masks (and samples) at every evaluation.
  void evaluate_heldout() {
    if (corpus_.heldout.size() == 0) {
      state_.validated_step = state_.step;
      return;
    }
    EnergyTracker tracker("eval", csv_, run_.energy, "greenbert", "eval-heldout");
    const BatchPlan plan = plan_inference(corpus_.heldout.lengths(), o_.batch_size);
    double loss = 0;
    int64_t hits = 0, scored = 0;
    for (int64_t b = 0; b < plan.batches(); ++b) {
      fill_batch(corpus_.heldout, plan.batch(b), batch_);
      tracker.add_work(static_cast<int64_t>(plan.batch(b).size()), batch_.tokens());
      const auto counter = static_cast<uint64_t>(b);
      const BatchOutcome out = run_batch(
          derive_seed(o_.seed, SeedPurpose::heldout_masking, counter), counter, 1.0f, false);
      loss += out.heldout_loss * static_cast<double>(out.scored);
      hits += out.hits;
      scored += out.scored;
    }
    energy_done_ += tracker.snapshot();
    tracker.stop();
    last_heldout_loss_ = scored > 0 ? loss / static_cast<double>(scored) : 0.0;
    last_heldout_accuracy_ =
        scored > 0 ? static_cast<double>(hits) / static_cast<double>(scored) : 0.0;
    std::string row;
    append_csv_row(row, "%.4f,%lld,%.9g,%.9g,%.2f\n", fractional_epoch(),
                   static_cast<long long>(state_.step), last_heldout_loss_, last_heldout_accuracy_,
                   elapsed());
    append_file_durably(heldout_log_, row);
    std::fprintf(stderr, "held-out at epoch %.2f (step %lld): %s loss %.4f, %s accuracy %.4f\n",
                 fractional_epoch(), static_cast<long long>(state_.step),
                 o_.objective == PretrainObjective::mlm ? "masked-LM" : "replaced-token",
                 last_heldout_loss_,
                 o_.objective == PretrainObjective::mlm ? "masked-token" : "per-token",
                 last_heldout_accuracy_);
    state_.validated_step = state_.step;
  }

  void flush_logs() {
    logs_.flush();
    last_flush_ = Clock::now();
  }

  void save_state() {
    state_.elapsed_seconds = elapsed();
    flush_logs();
    save_checkpoint(run_.dir / "checkpoint", state_, model_.params, adam_, extras());
  }

  // The encoder as a model directory: the masked-LM head stays with it (mlm), the
  // replaced-token head does not (rtd: fine-tuning never uses it, and HF's BERT has no name
  // for it).
  void save_encoder() {
    if (o_.objective == PretrainObjective::mlm) return save_model(run_.dir, model_);
    ClassifierModel encoder = new_model(model_.config, model_.tokenizer, 0);
    for (const ParameterTensor& t : encoder.params.layout().tensors()) {
      const auto values = model_.params.view(t.name);
      std::copy(values.begin(), values.end(), encoder.params.view(t).begin());
    }
    save_model(run_.dir, encoder);
  }

  nlohmann::ordered_json finish() {
    save_encoder();
    nlohmann::ordered_json metrics;
    metrics["format"] = "greenbert-pretrain-metrics";
    metrics["version"] = 1;
    metrics["model"] = to_json(summarize_model(
        run_.model_name, model_.config, model_.params.layout().parameter_count(), Precision::fp32));
    metrics["objective"] = {{"name", objective_name(o_.objective)},
                            {"mask_probability", o_.mask_probability},
                            {"whole_word", o_.whole_word}};
    if (generator_)
      metrics["objective"].update(
          {{"generator_layers", generator_->config.num_layers},
           {"generator_parameters", generator_->params.layout().parameter_count()},
           {"rtd_weight", o_.rtd_weight}});
    metrics["data"] = {{"path", run_.data_path},
                       {"texts", corpus_.texts},
                       {"heldout_texts", corpus_.heldout_texts},
                       {"sequences", corpus_.train.size()},
                       {"tokens", corpus_.train.tokens()},
                       {"max_length", o_.max_length}};
    metrics["training"] = {{"epochs", o_.epochs},
                           {"steps", state_.step},
                           {"seconds", state_.train_seconds},
                           {"sequences_per_second",
                            state_.train_seconds > 0
                                ? static_cast<double>(state_.train_sequences) / state_.train_seconds
                                : 0.0},
                           {"batch_size", o_.batch_size},
                           {"grad_accum", o_.grad_accum},
                           {"lr", o_.lr},
                           {"warmup_steps", schedule_.warmup_steps},
                           {"weight_decay", o_.weight_decay},
                           {"max_grad_norm", o_.max_grad_norm},
                           {"gemm_precision", precision_name(o_.precision)},
                           {"threads", omp_get_max_threads()},
                           {"seed", o_.seed},
                           {"elapsed_seconds", elapsed()}};
    metrics["heldout"] = {{"loss", last_heldout_loss_}, {"accuracy", last_heldout_accuracy_}};
    metrics["energy"] = energy_json(csv_);
    write_file_atomically(run_.dir / kPretrainingRunFiles.metrics, metrics.dump(2) + "\n");
    std::filesystem::remove_all(run_.dir / "checkpoint");
    return metrics;
  }

  const PretrainRun& run_;
  const PretrainOptions& o_;
  ClassifierModel& model_;
  const PretrainCorpus& corpus_;
  const std::vector<int64_t> lengths_;
  const int64_t batches_per_epoch_, total_steps_;
  const LinearSchedule schedule_;
  const int64_t max_tokens_, max_masked_;
  MaskingOptions masking_;
  Activations acts_;
  ParameterBuffer grads_;
  AdamWState adam_;
  std::optional<MaskedLmActivations> mlm_;
  std::optional<ReplacedTokenActivations> rtd_;
  std::unique_ptr<Generator> generator_;
  std::vector<float> is_replaced_;
  TokenBatch batch_;
  RunLogs logs_;
  const std::filesystem::path heldout_log_;
  const std::filesystem::path csv_;

  TrainingState state_;
  BatchPlan plan_;
  int64_t plan_epoch_ = -1;
  Clock::time_point session_start_, last_flush_;
  double elapsed_base_ = 0;
  double session_train_seconds_ = 0;
  int64_t session_sequences_ = 0;
  double loss_sum_ = 0;
  int64_t loss_count_ = 0;
  double last_lr_ = 0;
  double last_heldout_loss_ = 0, last_heldout_accuracy_ = 0;
  EnergySnapshot energy_done_;
};

}  // namespace

nlohmann::ordered_json pretrain_encoder(const PretrainRun& run, ClassifierModel& model,
                                        const PretrainCorpus& corpus) {
  validate(run.options);
  const ParameterLayout& layout = model.params.layout();
  const bool mlm = run.options.objective == PretrainObjective::mlm;
  if (mlm ? !layout.has_masked_lm_head() : !layout.has_replaced_token_head())
    fail("pre-training with ", objective_name(run.options.objective),
         " needs a model built with its head (LayoutOptions)");
  if (model.tokenizer.vocab().mask_id() < 0)
    fail(model.tokenizer.vocab().source(), ": no [MASK] token to pre-train with");
  if (run.options.max_length > model.config.max_position_embeddings)
    fail("--max-length ", run.options.max_length, " exceeds the model's ",
         model.config.max_position_embeddings, " positions");
  if (corpus.train.size() == 0) fail("no text to pre-train on");
  std::filesystem::create_directories(run.dir);
  DirectoryLock lock(run.dir, "pretrain.lock",
                     "another `greenbert pretrain` is using this run directory");
  Pretrainer pretrainer(run, model, corpus);
  return pretrainer.run();
}

}  // namespace greenbert
