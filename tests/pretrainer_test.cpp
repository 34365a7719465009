// The pre-trainer (train/pretrainer.h) on the synthetic texts with a tiny encoder: for both
// objectives, a run interrupted twice and resumed from its checkpoint ends bit-identical to an
// uninterrupted one.
#include <gtest/gtest.h>

#include <atomic>

#include "core/atomic_file.h"
#include "core/threads.h"
#include "support.h"
#include "train/pretrain_corpus.h"
#include "train/pretrainer.h"
#include "train_support.h"

namespace greenbert {
namespace {

ClassifierModel tiny_encoder(PretrainObjective objective) {
  BertTokenizer tokenizer = testing::synthetic_tokenizer();
  LayoutOptions layout;
  layout.masked_lm_head = objective == PretrainObjective::mlm;
  layout.replaced_token_head = objective == PretrainObjective::rtd;
  const BertConfig config = testing::tiny_config(tokenizer.vocab().size());
  return new_model(config, std::move(tokenizer), 3, layout);
}

PretrainCorpus synthetic_corpus(const BertTokenizer& tokenizer) {
  std::vector<Example> texts;
  for (const Paper& paper : testing::synthetic_papers(120, 5)) {
    Example text;
    text.abstract = paper.abstract;
    texts.push_back(std::move(text));
  }
  CorpusOptions options;
  options.max_length = 24;
  options.min_tokens = 4;
  options.heldout = 16;
  return make_pretrain_corpus(tokenizer, texts, options);
}

PretrainRun tiny_run(const std::filesystem::path& dir, PretrainObjective objective) {
  set_thread_count(1);  // bit-reproducibility holds for a fixed thread count
  PretrainRun run;
  run.dir = dir;
  run.options.objective = objective;
  run.options.epochs = 2;
  run.options.batch_size = 8;
  run.options.max_length = 24;
  run.options.lr = 2e-3;
  run.options.eval_every = 6;
  run.options.checkpoint_every = 5;
  run.model_name = "tiny";
  run.data_path = "synthetic";
  return run;
}

TEST(Pretrainer, InterruptedAndResumedRunEqualsAnUninterruptedOne) {
  for (PretrainObjective objective : {PretrainObjective::mlm, PretrainObjective::rtd}) {
    const std::string name = objective_name(objective);
    const PretrainCorpus corpus = synthetic_corpus(testing::synthetic_tokenizer());
    const auto straight = testing::temp_dir("pretrainer-straight-" + name);
    {
      ClassifierModel model = tiny_encoder(objective);
      pretrain_encoder(tiny_run(straight, objective), model, corpus);
    }
    // Stopped between checkpoints (step 3), at a held-out evaluation (step 6), then finished.
    const auto resumed = testing::temp_dir("pretrainer-resumed-" + name);
    for (int64_t stop_at : {3, 6, -1}) {
      std::atomic<bool> stop{false};
      PretrainRun run = tiny_run(resumed, objective);
      run.stop = &stop;
      run.on_step = [&](const TrainingState& state) {
        if (state.step == stop_at) stop = true;
      };
      ClassifierModel model = tiny_encoder(objective);
      if (stop_at < 0) {
        pretrain_encoder(run, model, corpus);
      } else {
        EXPECT_THROW(pretrain_encoder(run, model, corpus), PretrainingInterrupted) << name;
      }
    }
    EXPECT_EQ(read_file(straight / "model.safetensors"), read_file(resumed / "model.safetensors"))
        << name;
    for (auto [log, timed_columns] : {std::pair{"train_log.csv", 2}, {"heldout_log.csv", 1}}) {
      const auto rows = testing::deterministic_rows(straight / log, timed_columns);
      EXPECT_GT(rows.size(), 2u) << name << " " << log;
      EXPECT_EQ(rows, testing::deterministic_rows(resumed / log, timed_columns))
          << name << " " << log;
    }
  }
}

}  // namespace
}  // namespace greenbert
