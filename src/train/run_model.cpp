#include "train/run_model.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "core/run_seeds.h"
#include "text/vocab_trainer.h"
#include "train/label_prior.h"

namespace greenbert {
namespace {

// A model from scratch reads the given vocabulary or one trained on the training split.
BertTokenizer run_tokenizer(const RunModelSource& source, const Dataset& dataset) {
  return source.vocab.empty() ? train_vocabulary(dataset, source.vocab_size)
                              : BertTokenizer::from_file(source.vocab);
}

}  // namespace

BertTokenizer train_vocabulary(const Dataset& dataset, size_t size) {
  std::vector<std::string> texts;
  for (const Example& e : dataset.train) {
    if (dataset.text == TextInput::title_and_abstract) texts.push_back(e.title);
    texts.push_back(e.abstract);
  }
  VocabTrainerOptions options;
  options.normalizer.lowercase = true;
  options.normalizer.strip_accents = true;
  std::fprintf(stderr, "train: training a %zu-token WordPiece vocabulary on %zu training texts\n",
               size, texts.size());
  auto tokens = train_wordpiece_vocab(texts, size, options);
  return BertTokenizer(Vocab::from_tokens(std::move(tokens), "trained vocabulary"),
                       options.normalizer);
}

ClassifierModel new_run_model(const RunModelSource& source, const Dataset& dataset) {
  const uint64_t init_seed = derive_seed(source.seed, SeedPurpose::model_init);
  if (!source.init.empty()) {
    LoadModelOptions options;
    options.labels = dataset.labels.names();
    options.seed = init_seed;
    LoadModelReport report;
    ClassifierModel model = load_model(ModelDirectory::open(source.init), options, &report);
    model.config.problem_type = kMultiLabelProblem;  // fine-tuned with one sigmoid per label
    // A replaced head is initialised fresh too, so `initialized` names it in both cases.
    if (std::ranges::find(report.initialized, "classifier.bias") != report.initialized.end())
      init_head_bias_to_label_prior(model.params, dataset.train);
    const std::string notes = describe(report);
    if (!notes.empty())
      std::fprintf(stderr, "train: --init %s:\n%s", source.init.c_str(), notes.c_str());
    return model;
  }
  BertConfig config =
      source.preset.empty() ? load_config(source.config) : preset_config(source.preset);
  BertTokenizer tokenizer = run_tokenizer(source, dataset);
  // The embedding matrix is sized to the vocabulary: a small one makes a much smaller model.
  config.vocab_size = tokenizer.vocab().size();
  const int32_t pad = tokenizer.vocab().id("[PAD]");
  if (pad < 0) fail(tokenizer.vocab().source(), ": no [PAD] token");
  config.pad_token_id = pad;
  config.labels = dataset.labels.names();
  // A --config file written for another task may name none (or a single-label one).
  config.problem_type = kMultiLabelProblem;
  ClassifierModel model = new_model(config, std::move(tokenizer), init_seed);
  init_head_bias_to_label_prior(model.params, dataset.train);
  return model;
}

LinearModel new_run_linear_model(const RunModelSource& source, int64_t dim,
                                 FeatureWeighting weighting, const Dataset& dataset) {
  BertTokenizer tokenizer = run_tokenizer(source, dataset);
  LinearConfig config;
  config.vocab_size = tokenizer.vocab().size();
  config.dim = dim;
  config.weighting = weighting;
  config.labels = dataset.labels.names();
  validate(config, "--preset linear");
  return {config, {}, {}, {}, {}, {}, {}, std::move(tokenizer), {}};
}

ClassifierModel resumed_run_model(const std::filesystem::path& run_dir) {
  ModelDirectory run = ModelDirectory::open(run_dir);
  return new_model(run.config, std::move(run.tokenizer), 0);
}

}  // namespace greenbert
