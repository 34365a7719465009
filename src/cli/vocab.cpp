// `greenbert vocab`: trains a WordPiece vocabulary for a model trained from scratch.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "text/vocab_trainer.h"

namespace greenbert::cli {

namespace {

struct VocabArgs {
  std::string text_file;
  std::string out_dir;
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

void run(const VocabArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  const auto texts = read_lines(args.text_file);
  VocabTrainerOptions options;
  options.normalizer.lowercase = !args.cased;
  options.normalizer.strip_accents = !args.cased;
  options.min_frequency = args.min_frequency;
  options.max_alphabet = args.max_alphabet;
  const auto tokens = train_wordpiece_vocab(texts, args.size, options);
  const std::filesystem::path dir = args.out_dir;
  std::filesystem::create_directories(dir);
  write_vocab(dir / "vocab.txt", tokens);
  write_tokenizer_config(dir / "tokenizer_config.json", options.normalizer);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("vocab: %zu tokens from %zu texts in %.1f s -> %s, %s\n", tokens.size(), texts.size(),
              seconds, (dir / "vocab.txt").c_str(), (dir / "tokenizer_config.json").c_str());
}

}  // namespace

void add_vocab_command(CLI::App& app) {
  auto args = std::make_shared<VocabArgs>();
  auto* cmd = app.add_subcommand(
      "vocab",
      "Train a WordPiece vocabulary (HF WordPieceTrainer style; [PAD]=0 [UNK]=1 [CLS]=2 "
      "[SEP]=3 [MASK]=4) and write vocab.txt + tokenizer_config.json");
  cmd->add_option("--text-file", args->text_file, "Training text, one text per line")->required();
  cmd->add_option("--out", args->out_dir, "Directory for vocab.txt and tokenizer_config.json")
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
