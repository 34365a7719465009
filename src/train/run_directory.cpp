#include "train/run_directory.h"

#include <vector>

#include "core/error.h"
#include "core/option_differences.h"
#include "core/precision.h"
#include "model/model_directory.h"

namespace greenbert {
namespace {

// The run's options with today's spelling of the precision (runs begun before it was unified
// spell fp32 "f32"); null without a run.
nlohmann::json stored_run_options(const std::filesystem::path& dir, const RunFiles& files) {
  nlohmann::json stored = load_run_config(dir, files.options);
  if (stored.contains("precision") && stored["precision"].is_string())
    stored["precision"] =
        precision_name(parse_precision(stored["precision"].get<std::string>(),
                                       cat((dir / files.options).string(), ": precision")));
  return stored;
}

}  // namespace

RunAction reconcile_run(const std::filesystem::path& dir, const RunFiles& files,
                        const std::function<nlohmann::json()>& options,
                        const std::function<bool(const std::string& key)>& given, bool resume,
                        nlohmann::json& stored) {
  stored = stored_run_options(dir, files);
  if (stored.is_null()) {
    if (resume) fail(dir.string(), ": nothing to resume (no ", files.options, ")");
    if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir))
      fail(dir.string(), ": exists and is not a greenbert run directory (no ", files.options,
           "); choose a new or empty --out");
    return RunAction::start;
  }
  if (std::filesystem::exists(dir / files.metrics)) return RunAction::finished;
  const nlohmann::json command = options();
  if (resume) {
    // Only the options given, and only those the run recorded (newer options are not compared).
    std::vector<std::string> ignored;
    for (const auto& [key, value] : command.items())
      if (!given(key) || !stored.contains(key)) ignored.push_back(key);
    const std::string differing = differing_options(stored, command, ignored);
    if (!differing.empty())
      fail(dir.string(),
           ": --resume continues the run with its own options, and these differ: ", differing);
    return RunAction::resume;
  }
  const std::string differing = differing_options(stored, command);
  if (!differing.empty())
    fail(dir.string(), ": this run was started with other options: ", differing,
         ". Pass --resume to continue it with its own options, or choose another --out");
  return RunAction::resume;
}

}  // namespace greenbert
