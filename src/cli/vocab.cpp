// `greenbert vocab`: trains a WordPiece vocabulary for a model trained from scratch.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/data_options.h"
#include "cli/exit_codes.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/publish_directory.h"
#include "data/split_directory.h"
#include "text/vocab_trainer.h"

namespace greenbert::cli {

namespace {

struct VocabArgs {
  DataOptions data;
  std::string text_file;
  std::string out;
  size_t size = 30522;
  int64_t min_frequency = 2;
  size_t max_alphabet = 1000;
  bool cased = false;
};

std::vector<std::string> read_lines(const std::string& path) {
  const std::string contents = read_file(path);
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < contents.size()) {
    size_t end = contents.find('\n', begin);
    if (end == std::string::npos) end = contents.size();
    lines.emplace_back(contents, begin, end - begin);
    begin = end + 1;
  }
  return lines;
}

// The training split only: a vocabulary fitted on validation or test text would leak them.
std::vector<std::string> training_texts(const DataOptions& options) {
  Dataset dataset = load_dataset(options.data, to_load_options(options));
  print_load_warnings(dataset);
  std::vector<std::string> texts;
  texts.reserve(dataset.train.size() * (dataset.text == TextInput::abstract ? 1 : 2));
  for (auto& example : dataset.train) {
    if (dataset.text == TextInput::title_and_abstract) texts.push_back(std::move(example.title));
    texts.push_back(std::move(example.abstract));
  }
  return texts;
}

void run(const VocabArgs& args) {
  if (args.data.data.empty() == args.text_file.empty())
    usage_error(
        "vocab: give exactly one of --data (arXiv data: its training split) or --text-file");
  const auto start = std::chrono::steady_clock::now();
  const auto texts =
      args.text_file.empty() ? training_texts(args.data) : read_lines(args.text_file);
  VocabTrainerOptions options;
  options.normalizer.lowercase = !args.cased;
  options.normalizer.strip_accents = !args.cased;
  options.min_frequency = args.min_frequency;
  options.max_alphabet = args.max_alphabet;
  const auto tokens = train_wordpiece_vocab(texts, args.size, options);
  // --out names the vocabulary file (HF's vocab.txt) or a directory to hold it. The file and
  // tokenizer_config.json belong together (a new vocab.txt read with the old config would
  // tokenize wrongly), so their directory is published as a whole.
  std::filesystem::path vocab_path = args.out;
  if (vocab_path.extension() != ".txt") vocab_path /= "vocab.txt";
  const std::filesystem::path dir =
      vocab_path.has_parent_path() ? vocab_path.parent_path() : std::filesystem::path(".");
  const auto config_path = dir / "tokenizer_config.json";
  publish_directory(dir, "vocab", [&](const std::filesystem::path& staging) {
    write_vocab(staging / vocab_path.filename(), tokens);
    write_tokenizer_config(staging / config_path.filename(), options.normalizer);
  });
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("vocab: %zu tokens from %zu texts in %.1f s -> %s, %s\n", tokens.size(), texts.size(),
              seconds, vocab_path.c_str(), config_path.c_str());
}

}  // namespace

void add_vocab_command(CLI::App& app) {
  auto args = std::make_shared<VocabArgs>();
  auto* cmd = app.add_subcommand(
      "vocab",
      "Train a WordPiece vocabulary (HF WordPieceTrainer style; [PAD]=0 [UNK]=1 [CLS]=2 "
      "[SEP]=3 [MASK]=4) and write vocab.txt + tokenizer_config.json");
  add_data_options(*cmd, args->data, /*required=*/false);
  cmd->add_option("--text-file", args->text_file,
                  "Plain training text, one text per line (instead of --data)");
  cmd->add_option("--out", args->out,
                  "vocab.txt to write (tokenizer_config.json goes beside it), or a directory; "
                  "the directory is written as a whole, and one holding other files is refused")
      ->required();
  cmd->add_option("--size", args->size, "Vocabulary size, special tokens included")
      ->capture_default_str();
  cmd->add_option("--min-frequency", args->min_frequency,
                  "Never merge a pair of pieces seen fewer times")
      ->capture_default_str();
  cmd->add_option("--max-alphabet", args->max_alphabet,
                  "Keep only this many most frequent characters; words with others become [UNK]")
      ->capture_default_str();
  cmd->add_flag("--cased", args->cased, "Keep case and accents (default: lowercase + strip)");
  cmd->callback([args] { run(*args); });
}

}  // namespace greenbert::cli
