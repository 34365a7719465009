// `greenbert tokenize`: one text per stdin line -> one line of ids ([CLS] ... [SEP]) per text,
// the interface acceptance checks compare against Hugging Face.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "text/bert_tokenizer.h"

namespace greenbert::cli {

namespace {

struct TokenizeArgs {
  std::string vocab;
  size_t max_length = 512;
  bool tokens = false;
  std::optional<bool> lowercase;
};

void print_batch(const BertTokenizer& tokenizer, const std::vector<std::string>& lines,
                 const TokenizeArgs& args) {
  std::string out;
  for (const Encoding& e : tokenizer.encode_batch(lines, args.max_length, Padding::none)) {
    for (size_t i = 0; i < e.input_ids.size(); ++i) {
      if (i > 0) out += ' ';
      if (args.tokens) {
        out += tokenizer.vocab().token(e.input_ids[i]);
      } else {
        out += std::to_string(e.input_ids[i]);
      }
    }
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void run(const TokenizeArgs& args) {
  TokenizerOptions options;
  options.lowercase = args.lowercase;
  const auto tokenizer = BertTokenizer::from_file(args.vocab, options);
  std::ios::sync_with_stdio(false);
  constexpr size_t kBatch = 4096;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(std::cin, line)) {
    lines.push_back(std::move(line));
    if (lines.size() == kBatch) {
      print_batch(tokenizer, lines, args);
      lines.clear();
    }
  }
  print_batch(tokenizer, lines, args);
  std::fflush(stdout);
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto args = std::make_shared<TokenizeArgs>();
  auto* cmd = app.add_subcommand(
      "tokenize",
      "Tokenize stdin, one text per line, like Hugging Face's BertTokenizerFast: print each "
      "text's ids, [CLS] and [SEP] included, separated by single spaces");
  cmd->add_option("--vocab", args->vocab,
                  "WordPiece vocab.txt; a tokenizer_config.json beside it sets do_lower_case, "
                  "strip_accents and tokenize_chinese_chars")
      ->required();
  cmd->add_option("--max-length", args->max_length,
                  "Truncate each text to at most this many ids, [CLS] and [SEP] included "
                  "(BERT's 512 positions by default; at least 2)")
      ->capture_default_str();
  cmd->add_flag("--tokens", args->tokens, "Print token strings instead of ids");
  cmd->add_option("--lowercase", args->lowercase,
                  "Lowercase (and strip accents) or not, overriding tokenizer_config.json "
                  "(default: its do_lower_case, else true)");
  cmd->callback([args] { run(*args); });
}

}  // namespace greenbert::cli
