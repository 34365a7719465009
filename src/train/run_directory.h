#pragma once
// What a run directory holds decides what `greenbert train --out DIR` (or `pretrain`) does:
// start a run, continue it, or nothing. Its options file records the options a run was started
// with, keyed by option name without dashes; those that decide what the run computes must not
// change while it continues. Its metrics file, written last, says the run is finished.
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "model/model_directory.h"

namespace greenbert {

struct RunFiles {
  const char* options;
  const char* metrics;
};
inline constexpr RunFiles kTrainingRunFiles{model_files::kRunConfig, "metrics.json"};
inline constexpr RunFiles kPretrainingRunFiles{"pretrain_config.json", "pretrain_metrics.json"};

enum class RunAction { start, resume, finished };

// `command()`: this command's options as options-file keys, asked for only when a run is
// there to compare with. Without --resume they are resolved (every default filled) and must all
// be the run's; with --resume only those the user gave (`given(key)`) are compared, and the run's
// own options are returned in `stored` to train with. Throws greenbert::Error naming the options
// that differ, for --resume without a run, and for a DIR that holds something else.
RunAction reconcile_run(const std::filesystem::path& dir, const RunFiles& files,
                        const std::function<nlohmann::json()>& command,
                        const std::function<bool(const std::string& key)>& given, bool resume,
                        nlohmann::json& stored);

}  // namespace greenbert
