// `greenbert data stats` and `greenbert data split`: look at a data set the way training will
// see it, and write the split so that a run can be reproduced from a directory.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/data_options.h"
#include "data/dataset_summary.h"
#include "data/encode_example.h"
#include "data/split_directory.h"
#include "text/bert_tokenizer.h"

namespace greenbert::cli {
namespace {

constexpr size_t kTopLabels = 20;

struct Loaded {
  Dataset dataset;
  double seconds = 0;
};

Loaded load(const DataOptions& options) {
  const LoadOptions load_options = to_load_options(options);
  auto start = std::chrono::steady_clock::now();
  Loaded loaded{load_dataset(options.data, load_options), 0};
  loaded.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  print_load_warnings(loaded.dataset);
  return loaded;
}

nlohmann::ordered_json lengths_json(const LengthSummary& s) {
  return {{"count", s.count}, {"mean", s.mean}, {"min", s.min}, {"p50", s.p50},
          {"p90", s.p90},     {"p95", s.p95},   {"p99", s.p99}, {"max", s.max}};
}

std::string lengths_text(const LengthSummary& s) {
  char line[160];
  std::snprintf(line, sizeof line, "p50 %.0f  p90 %.0f  p95 %.0f  p99 %.0f  max %lld  (mean %.1f)",
                s.p50, s.p90, s.p95, s.p99, static_cast<long long>(s.max), s.mean);
  return line;
}

// What `data stats` shows, gathered once for both the text and the JSON form.
struct Stats {
  const DataOptions& options;
  const Loaded& loaded;
  DatasetSummary summary;
  std::optional<LengthSummary> tokens;  // with --vocab only
  double truncated_share = 0;           // examples longer than --max-length
  bool split_directory = false;
  int64_t rows = 0;
  int64_t skipped = 0;
  SplitRatios ratios;
};

struct TokenOptions {
  std::string vocab;
  int64_t max_length = 150;
};

Stats gather(const DataOptions& options, const TokenOptions& token_options, const Loaded& loaded) {
  const Dataset& d = loaded.dataset;
  Stats stats{.options = options,
              .loaded = loaded,
              .summary = summarize_dataset(d),
              .tokens = std::nullopt,
              .truncated_share = 0,
              .split_directory = d.reads.size() > 1,
              .rows = 0,
              .skipped = 0,
              .ratios = to_load_options(options).prepare.ratios};
  for (const auto& read : d.reads) {
    stats.rows += read.rows;
    stats.skipped += read.skipped;
  }
  if (!token_options.vocab.empty()) {
    const auto tokenizer = BertTokenizer::from_file(token_options.vocab);
    std::vector<int64_t> lengths;
    for (const auto* split : {&d.train, &d.val, &d.test}) {
      auto part = token_lengths(tokenizer, *split, d.text);
      lengths.insert(lengths.end(), part.begin(), part.end());
    }
    const auto truncated = std::count_if(lengths.begin(), lengths.end(),
                                         [&](int64_t n) { return n > token_options.max_length; });
    stats.truncated_share =
        lengths.empty() ? 0.0
                        : static_cast<double>(truncated) / static_cast<double>(lengths.size());
    stats.tokens = summarize_lengths(std::move(lengths));
  }
  return stats;
}

std::string source_name(const Stats& s) {
  return s.split_directory ? "split directory"
                           : std::string(format_name(s.loaded.dataset.reads.front().format));
}

void print_json(const Stats& s) {
  const Dataset& d = s.loaded.dataset;
  nlohmann::ordered_json skipped_rows = nlohmann::ordered_json::array();
  for (const auto& read : d.reads) {
    for (const auto& p : read.first_skipped) {
      skipped_rows.push_back({{"file", read.file}, {"line", p.line}, {"reason", p.reason}});
    }
  }
  nlohmann::ordered_json top = nlohmann::ordered_json::array();
  for (size_t i = 0; i < s.summary.label_counts.size() && i < kTopLabels; ++i) {
    top.push_back({{"label", s.summary.label_counts[i].first},
                   {"examples", s.summary.label_counts[i].second}});
  }
  nlohmann::ordered_json unseen = nlohmann::ordered_json::object();
  for (const auto& [name, count] : d.report.unseen_labels) unseen[name] = count;
  nlohmann::ordered_json out = {
      {"data", s.options.data},
      {"source", source_name(s)},
      {"rows_read", s.rows},
      {"rows_skipped", s.skipped},
      {"skipped_rows_listed", skipped_rows},
      {"duplicates_removed", d.report.duplicates_removed},
      {"label_sets_before_filter", d.report.label_sets},
      {"singleton_papers_dropped", d.report.singleton_label_sets},
      {"examples", s.summary.examples},
      {"label_sets", s.summary.label_sets},
      {"split", {{"train", d.train.size()}, {"val", d.val.size()}, {"test", d.test.size()}}},
      {"seed", s.options.seed},
      {"ratios", {s.ratios.train, s.ratios.val, s.ratios.test}},
      {"labels", d.labels.size()},
      {"distinct_terms", s.summary.label_counts.size()},
      {"unseen_labels", unseen},
      {"label_cardinality", s.summary.label_cardinality},
      {"top_labels", top},
      {"text", text_input_name(d.text)},
      {"words", lengths_json(s.summary.words)},
      {"characters", lengths_json(s.summary.characters)},
      {"load_seconds", s.loaded.seconds},
  };
  if (s.tokens) {
    out["tokens"] = lengths_json(*s.tokens);
    out["truncated_share"] = s.truncated_share;
  }
  std::printf("%s\n", out.dump(2).c_str());
}

void print_text(const Stats& s) {
  const Dataset& d = s.loaded.dataset;
  const auto count = [](int64_t n) { return static_cast<long long>(n); };
  std::printf("data                %s (%s)\n", s.options.data.c_str(), source_name(s).c_str());
  std::printf("rows read           %lld\n", count(s.rows));
  std::printf("bad rows skipped    %lld\n", count(s.skipped));
  if (!s.split_directory) {
    std::printf("duplicates removed  %lld (same normalised title)\n",
                count(d.report.duplicates_removed));
    std::printf("singletons dropped  %lld papers (label-sets that occur once, of %lld)\n",
                count(d.report.singleton_label_sets), count(d.report.label_sets));
  }
  std::printf("examples            %lld in %lld label-sets\n", count(s.summary.examples),
              count(s.summary.label_sets));
  std::printf("split               train %zu  val %zu  test %zu", d.train.size(), d.val.size(),
              d.test.size());
  if (!s.split_directory) {
    std::printf("  (seed %llu, ratios %g/%g/%g)", static_cast<unsigned long long>(s.options.seed),
                s.ratios.train, s.ratios.val, s.ratios.test);
  }
  std::printf("\nlabels              %d in the vocabulary (from train), %zu only in val/test\n",
              d.labels.size(), d.report.unseen_labels.size());
  std::printf("label cardinality   %.3f categories per example\n", s.summary.label_cardinality);
  std::printf("top labels         ");
  const size_t top = std::min(s.summary.label_counts.size(), kTopLabels);
  for (size_t i = 0; i < top; ++i) {
    std::printf(" %s %lld%s", s.summary.label_counts[i].first.c_str(),
                count(s.summary.label_counts[i].second), i + 1 < top ? "," : "");
  }
  std::printf("\ntext                %s\n", std::string(text_input_name(d.text)).c_str());
  std::printf("words               %s\n", lengths_text(s.summary.words).c_str());
  std::printf("characters          %s\n", lengths_text(s.summary.characters).c_str());
  if (s.tokens) {
    std::printf("tokens              %s\n", lengths_text(*s.tokens).c_str());
    std::printf("truncated           %.1f %% of examples are longer than --max-length\n",
                100.0 * s.truncated_share);
  } else {
    std::printf("tokens              (pass --vocab FILE for token-length percentiles)\n");
  }
  std::printf("load time           %.3f s (read, de-duplicate, split)\n", s.loaded.seconds);
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto* data = app.add_subcommand("data", "Inspect arXiv data and write reproducible splits");
  data->require_subcommand(1);

  auto stats_options = std::make_shared<DataOptions>();
  auto token_options = std::make_shared<TokenOptions>();
  auto json = std::make_shared<bool>(false);
  auto* stats = data->add_subcommand(
      "stats", "Rows, duplicates, dropped rows and why, labels, split sizes and text lengths");
  add_data_options(*stats, *stats_options);
  stats->add_option("--vocab", token_options->vocab,
                    "vocab.txt to tokenize with, for token-length percentiles");
  stats
      ->add_option("--max-length", token_options->max_length,
                   "Report the share of examples longer than this many tokens")
      ->capture_default_str();
  stats->add_flag("--json", *json, "Print the statistics as JSON");
  stats->callback([stats_options, token_options, json] {
    const Loaded loaded = load(*stats_options);
    const Stats stats = gather(*stats_options, *token_options, loaded);
    *json ? print_json(stats) : print_text(stats);
  });

  auto split_options = std::make_shared<DataOptions>();
  auto out = std::make_shared<std::string>();
  auto* split = data->add_subcommand(
      "split", "Write train.csv, val.csv, test.csv and labels.json, loadable with --data DIR");
  add_data_options(*split, *split_options);
  split
      ->add_option("--out", *out,
                   "Directory to write, all files at once: created, or replaced as a whole when it "
                   "holds a previous split and nothing else")
      ->required();
  split->callback([split_options, out] {
    Loaded loaded = load(*split_options);
    write_split(*out, loaded.dataset);
    const Dataset& d = loaded.dataset;
    std::printf("wrote %s: train %zu, val %zu, test %zu examples, %d labels\n", out->c_str(),
                d.train.size(), d.val.size(), d.test.size(), d.labels.size());
  });
}

}  // namespace greenbert::cli
