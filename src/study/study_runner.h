#pragma once
// Runs a study's stages one after the other as child processes of the greenbert binary, with
// the study directory as their working directory: each stage's memory is its own, a crash is
// contained (the stages that need it are blocked, the others go on, the report says what
// failed), and each command is printed so that a user can re-run any stage by hand. The
// manifest (study_state.h) is updated after every step, so re-running the same study skips
// what is done and resumes an interrupted training. The study also records every stage's
// energy in its own emissions.csv (one row per attempt), which is what the report's training
// and quantization figures are.
#include <filesystem>
#include <string>
#include <vector>

#include "energy/energy_options.h"
#include "study/study_settings.h"

namespace greenbert {

struct StudyRunOptions {
  std::filesystem::path dir;  // the study directory (created if missing)
  std::string executable;     // the greenbert binary the stages run (absolute)
  EnergyOptions energy;       // for the study's own record of each stage
  bool dry_run = false;       // print the plan and what would run, run nothing
};

struct StudyOutcome {
  int stages = 0;
  int ran = 0;
  int skipped = 0;
  std::vector<std::string> failed;   // "id: why"
  std::vector<std::string> blocked;  // "id: needs X"
  bool interrupted = false;
  int stop_signal = 0;  // the signal that interrupted it (SIGINT, SIGTERM, SIGHUP)
};

StudyOutcome run_study(const StudySettings& settings, const StudyRunOptions& options);

}  // namespace greenbert
