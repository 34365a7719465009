#include "study/study_runner.h"

#include <cstring>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/atomic_file.h"
#include "core/child_process.h"
#include "core/directory_lock.h"
#include "core/error.h"
#include "core/local_time.h"
#include "core/progress.h"
#include "core/stop_signals.h"
#include "energy/energy_tracker.h"
#include "study/study_layout.h"
#include "study/study_plan.h"
#include "study/study_state.h"

namespace greenbert {
namespace {

namespace layout = study_layout;

void say(const std::string& line) {
  std::fprintf(stderr, "study: %s\n", line.c_str());
  std::fflush(stderr);
}

struct Eta {
  double seconds = 0;
  int unknown = 0;  // stages no finished stage lets us estimate
};

Eta remaining_time(const std::vector<Stage>& plan, const std::vector<StageDecision>& decisions,
                   size_t from, const StudyState& state) {
  std::vector<FinishedStage> finished;
  std::map<std::string, double> size_of;
  for (const auto& stage : plan) size_of[stage.id] = stage.size;
  for (const auto& record : state.stages)
    if (record.status == StageStatus::done && record.seconds > 0)
      finished.push_back({record.kind, size_of[record.id], record.seconds});
  Eta eta;
  for (size_t i = from; i < plan.size(); ++i) {
    if (decisions[i].action == StageAction::skip) continue;
    if (auto s = estimate_seconds(finished, plan[i].kind, plan[i].size))
      eta.seconds += *s;
    else
      ++eta.unknown;
  }
  return eta;
}

std::string describe_eta(const Eta& eta) {
  if (eta.unknown == 0) return cat("eta ", format_duration(eta.seconds));
  if (eta.seconds == 0) return "eta unknown until stages like the remaining ones have finished";
  return cat("eta >= ", format_duration(eta.seconds), " (", eta.unknown, " stage",
             eta.unknown == 1 ? "" : "s", " not estimable yet)");
}

// Checks a captured stdout is one JSON document, then moves it into place atomically.
std::string accept_json_output(const std::filesystem::path& captured,
                               const std::filesystem::path& final_path) {
  const std::string text = read_file(captured);
  if (!nlohmann::json::accept(text))
    return cat("its output is not one JSON document; kept in ", captured.string());
  write_file_atomically(final_path, text);
  std::filesystem::remove(captured);
  return "";
}

struct StageRun {
  const Stage& stage;
  const StageDecision& decision;
  const StudyRunOptions& options;
  StudyState& state;
  StopSignals& signals;
};

// Runs one stage and updates its record; returns false when the study must stop (a signal).
bool run_stage(const StageRun& run) {
  const Stage& stage = run.stage;
  const auto& dir = run.options.dir;
  const auto state_file = dir / layout::kState;
  StageRecord& record = *run.state.find(stage.id);
  if (!run.decision.continues) {
    record.attempts = 0;
    record.seconds = 0;
    record.energy_runs.clear();
  }
  if (run.decision.action == StageAction::run) {
    for (const auto& owned : stage.owned) {
      if (!std::filesystem::exists(dir / owned)) continue;
      say(cat("  removing ", owned, " (", run.decision.reason, ")"));
      std::filesystem::remove_all(dir / owned);
    }
  }
  if (!stage.stdout_file.empty())
    std::filesystem::create_directories((dir / stage.stdout_file).parent_path());
  std::vector<std::string> argv{run.options.executable};
  argv.insert(argv.end(), stage.args.begin(), stage.args.end());
  if (run.decision.action == StageAction::resume) argv.push_back("--resume");
  const auto captured =
      stage.stdout_file.empty() ? std::filesystem::path() : dir / (stage.stdout_file + ".partial");
  say(cat("  $ cd ", shell_command_line({dir.string()}), " && ", shell_command_line(argv),
          captured.empty() ? "" : cat(" > ", stage.stdout_file)));

  record.command = stage.args;
  record.status = StageStatus::running;
  record.failure.clear();
  ++record.attempts;
  write_study_state(state_file, run.state);

  const auto start = std::chrono::steady_clock::now();
  ProcessExit exit;
  {
    EnergyTracker tracker("study:" + stage.id, dir / layout::kLedger, run.options.energy,
                          "greenbert-study", stage.id);
    try {
      ProcessOptions process;
      process.working_directory = dir;
      process.stdout_file = captured;
      // Ctrl-C reaches the running stage from the terminal (same process group): the stage
      // stops cleanly (training writes a checkpoint) and the study stops after it. A signal sent
      // to the study alone (kill, timeout) is passed on to the stage.
      const pid_t pid = start_process(argv, process);
      run.signals.forward_to(pid);
      exit = wait_process(pid);
      run.signals.forward_to(0);
    } catch (const Error& e) {
      exit = {127, 0};
      record.failure = e.what();
    }
    record.energy_runs.push_back(tracker.stop().run_id);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  record.seconds += seconds;
  record.finished = local_time_text();

  if (run.signals.requested()) {
    record.status = StageStatus::interrupted;
    record.failure = cat("interrupted by signal ", run.signals.signal(), " (",
                         strsignal(run.signals.signal()), ")");
  } else if (!exit.ok()) {
    record.status = StageStatus::failed;
    if (record.failure.empty()) record.failure = exit.describe();
  } else {
    std::string problem;
    if (!captured.empty()) problem = accept_json_output(captured, dir / stage.stdout_file);
    record.outputs.clear();
    for (const auto& output : stage.outputs) {
      if (!problem.empty()) break;
      if (!std::filesystem::exists(dir / output))
        problem = cat("it did not write ", output);
      else
        record.outputs.push_back(fingerprint_file(dir, output));
    }
    record.status = problem.empty() ? StageStatus::done : StageStatus::failed;
    record.failure = problem;
  }
  write_study_state(state_file, run.state);
  if (record.status == StageStatus::done) {
    say(cat("  ", stage.id, " done in ", format_duration(seconds)));
  } else {
    say(cat("  ", stage.id, " ", stage_status_name(record.status), ": ", record.failure));
  }
  return record.status != StageStatus::interrupted;
}

// The stage a failed or blocked stage depends on, or empty when all it needs is done.
std::string unfinished_dependency(const Stage& stage, const StudyState& state) {
  for (const auto& dep : stage.depends_on) {
    const StageRecord* r = state.find(dep);
    if (r == nullptr || r->status != StageStatus::done)
      return cat(dep, " is ", r ? stage_status_name(r->status) : "missing");
  }
  return "";
}

}  // namespace

StudyOutcome run_study(const StudySettings& asked, const StudyRunOptions& options) {
  const auto state_file = options.dir / layout::kState;
  std::optional<StudyState> previous;
  if (std::filesystem::exists(state_file)) previous = read_study_state(state_file);
  // A study continues with the names it began with (study_layout.h).
  StudySettings settings = asked;
  if (previous) settings.layout = previous->settings.layout;
  const std::vector<Stage> plan = plan_study(settings);
  const auto decisions = decide_stages(plan, previous ? &*previous : nullptr, options.dir);

  StudyOutcome outcome;
  outcome.stages = static_cast<int>(plan.size());
  if (options.dry_run) {
    for (size_t i = 0; i < plan.size(); ++i) {
      const char* action = decisions[i].action == StageAction::skip     ? "skip"
                           : decisions[i].action == StageAction::resume ? "resume"
                                                                        : "run";
      std::vector<std::string> argv{options.executable};
      argv.insert(argv.end(), plan[i].args.begin(), plan[i].args.end());
      std::printf("stage %zu/%zu %s: %s (%s)\n  %s\n", i + 1, plan.size(), plan[i].id.c_str(),
                  action, decisions[i].reason.c_str(), shell_command_line(argv).c_str());
    }
    return outcome;
  }

  std::filesystem::create_directories(options.dir);
  // One study per directory at a time: two would interleave stages and manifest writes.
  DirectoryLock lock(options.dir, layout::kLock,
                     "another greenbert study is running in this directory");
  StopSignals signals;
  // The manifest lists exactly this plan; records of stages no longer planned are dropped.
  StudyState state;
  state.settings = settings;
  state.hardware = hardware_json();
  for (const auto& stage : plan) {
    const StageRecord* before = previous ? previous->find(stage.id) : nullptr;
    StageRecord record;
    if (before) {
      record = *before;
    } else {
      record.id = stage.id;
      record.model = stage.model;
      record.kind = stage.kind;
      record.command = stage.args;
    }
    state.stages.push_back(record);
  }
  write_study_state(state_file, state);

  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < plan.size(); ++i) {
    const Stage& stage = plan[i];
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string header =
        cat("stage ", i + 1, "/", plan.size(), ": ",
            stage.model.empty() ? stage.kind : stage.model + " " + stage.kind);
    if (decisions[i].action == StageAction::skip) {
      say(cat(header, ": done earlier, outputs unchanged, skipped"));
      ++outcome.skipped;
      continue;
    }
    if (signals.requested()) {
      outcome.interrupted = true;
      outcome.stop_signal = signals.signal();
      break;
    }
    if (!stage.after_failures) {
      if (auto missing = unfinished_dependency(stage, state); !missing.empty()) {
        StageRecord& record = *state.find(stage.id);
        record.status = StageStatus::blocked;
        record.failure = cat("not run: ", missing);
        write_study_state(state_file, state);
        say(cat(header, ": blocked, ", missing));
        outcome.blocked.push_back(cat(stage.id, ": ", missing));
        continue;
      }
    }
    say(cat(header, " (", decisions[i].reason, ") | elapsed ", format_duration(elapsed), " | ",
            describe_eta(remaining_time(plan, decisions, i, state))));
    ++outcome.ran;
    if (!run_stage({stage, decisions[i], options, state, signals})) {
      outcome.interrupted = true;
      outcome.stop_signal = signals.signal();
      break;
    }
    const StageRecord& record = *state.find(stage.id);
    if (record.status == StageStatus::failed)
      outcome.failed.push_back(cat(stage.id, ": ", record.failure));
  }
  return outcome;
}

}  // namespace greenbert
