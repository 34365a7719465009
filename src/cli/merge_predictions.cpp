// `greenbert merge-predictions`: the outputs of `greenbert predict --shard K/N`, back in input
// order (infer/prediction_shards.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "infer/prediction_shards.h"

namespace greenbert::cli {

namespace {

struct MergeArgs {
  std::vector<std::string> shards;
  std::string out;
};

void run(const MergeArgs& a) {
  const std::vector<std::filesystem::path> shards(a.shards.begin(), a.shards.end());
  const int64_t lines = merge_prediction_shards(shards, a.out);
  std::printf("merge-predictions: %s: %lld answers from %zu shards, in input order\n",
              a.out.c_str(), static_cast<long long>(lines), shards.size());
}

}  // namespace

void add_merge_predictions_command(CLI::App& app) {
  auto args = std::make_shared<MergeArgs>();
  auto* cmd = app.add_subcommand(
      "merge-predictions",
      "Merge the outputs of `greenbert predict --shard K/N` (given in shard order, 0 to N-1) "
      "into one file in input order, as a single `greenbert predict` would have written it. "
      "Refuses shards out of order, of another N, or incomplete (resume those with predict "
      "--resume)");
  cmd->add_option("shards", args->shards, "The shards' --output files, K = 0 to N-1")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "The merged file (written atomically)")->required();
  cmd->callback([args] { run(*args); });
}

}  // namespace greenbert::cli
