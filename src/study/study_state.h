#pragma once
// The study's stage manifest, DIR/study_state.json: the settings, the machine, and for each
// stage its command, status, attempts, time, the fingerprints of its outputs and the ids of
// its energy records. Written atomically after every change, so an interrupted study (Ctrl-C,
// a crash, a power cut) leaves either the previous manifest or the new one, and re-running the
// same command skips exactly the stages whose outputs are still what they wrote.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "study/study_settings.h"

namespace greenbert {

enum class StageStatus {
  pending,      // not run yet
  running,      // started and not finished: the study was killed while it ran
  done,         // finished and its outputs were fingerprinted
  failed,       // exited non-zero or was killed
  interrupted,  // stopped by Ctrl-C or SIGTERM sent to the study
  blocked,      // not run because a stage it needs did not finish
};
std::string_view stage_status_name(StageStatus status);

// A file as a stage left it: size, modification time and a content hash (FNV-1a, 64 bits).
struct FileFingerprint {
  std::string path;  // relative to the study directory
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
  std::string hash;  // 16 hex digits
};

// Throws greenbert::Error when the file cannot be read.
FileFingerprint fingerprint_file(const std::filesystem::path& dir, const std::string& path);
// The file is still as fingerprinted: same size and either the same mtime or, when it was
// touched or copied, the same content. Empty when it is; otherwise why not ("missing",
// "changed").
std::string fingerprint_mismatch(const std::filesystem::path& dir, const FileFingerprint& print);

struct StageRecord {
  std::string id;
  std::string model;  // empty for the study-wide stages
  std::string kind;
  std::vector<std::string> command;  // arguments after the executable, run in the study dir
  StageStatus status = StageStatus::pending;
  int attempts = 0;
  double seconds = 0;    // wall time of all attempts of this command
  std::string finished;  // local time the last attempt ended
  std::string failure;   // why it failed, was interrupted or blocked
  std::vector<FileFingerprint> outputs;
  std::vector<std::string> energy_runs;  // run_ids of its rows in the study's emissions.csv
};

struct StudyState {
  StudySettings settings;
  nlohmann::ordered_json hardware;  // the machine the stages ran on (core/system_info.h)
  std::vector<StageRecord> stages;

  const StageRecord* find(std::string_view id) const;
  StageRecord* find(std::string_view id);
};

// Throws greenbert::Error "FILE: reason" for anything but a manifest this version wrote.
StudyState read_study_state(const std::filesystem::path& file);
void write_study_state(const std::filesystem::path& file, const StudyState& state);

nlohmann::ordered_json hardware_json();  // this machine, as the manifest records it

}  // namespace greenbert
