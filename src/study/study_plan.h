#pragma once
// A study as a list of stages, each one command of this same binary run in the study
// directory, and what to do with each when the study (re)starts:
//
//   split                     data split --data FILE --out data
//   vocab                     vocab --data data --out vocab/vocab.txt     (presets, no --vocab)
//   M/pretrain                pretrain --data data --out models/M/pretrained  (--pretrain)
//   M/train                   train --data data --out models/M/fp32 ...  (--init the above)
//   M/eval-fp32               eval --model models/M/fp32 --data data --split test --json
//   M/quantize-P, M/eval-P    quantize --model models/M/fp32 --precision P --out models/M/P ...
//   M/bench-P                 bench --model models/M/P --data data --out results/M/bench-P.json
//   report                    report --study .
//
// Stages are listed in an order that respects their dependencies.
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "study/study_settings.h"
#include "study/study_state.h"

namespace greenbert {

struct Stage {
  std::string id;                 // "split", "bert-tiny/train", "bert-tiny/eval-int8", "report"
  std::string model;              // empty for study-wide stages
  std::string kind;               // id without the model: "train", "eval-int8"
  std::vector<std::string> args;  // after the executable
  std::vector<std::string> depends_on;  // ids of earlier stages
  std::vector<std::string> outputs;     // files it must leave, fingerprinted when it finishes
  std::vector<std::string> owned;       // paths removed before it runs afresh
  std::string stdout_file;      // when set, stdout is captured here and must be one JSON document
  std::string checkpoint;       // when set and present, an unfinished run continues with --resume
  bool after_failures = false;  // runs even when stages it depends on failed (the report)
  double size = 0;              // the model's size, for the ETA
};

std::vector<Stage> plan_study(const StudySettings& settings);

enum class StageAction { skip, resume, run };

struct StageDecision {
  StageAction action = StageAction::run;
  std::string reason;  // "outputs unchanged", "its command changed", "split runs again", ...
  // Earlier attempts of the same command count (their time and energy were spent on this
  // result): the stage was cut short, not changed or made stale.
  bool continues = false;
};

// What each stage of `plan` needs, given the previous manifest (null on a first run): skip it
// when it finished with the same command, its outputs are unchanged and nothing it depends on
// runs again; resume it when it was cut short and left a checkpoint; run it otherwise.
std::vector<StageDecision> decide_stages(const std::vector<Stage>& plan, const StudyState* previous,
                                         const std::filesystem::path& dir);

// A finished stage, as the ETA sees it.
struct FinishedStage {
  std::string kind;
  double size = 0;
  double seconds = 0;
};

// Seconds a stage of `kind` on a model of `size` should take: the mean over finished stages
// of the same kind, each scaled by the ratio of sizes (models of unknown size are not scaled).
// Empty when no stage of that kind has finished.
std::optional<double> estimate_seconds(std::span<const FinishedStage> finished,
                                       const std::string& kind, double size);

}  // namespace greenbert
