#include "study/study_state.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"
#include "core/system_info.h"

namespace greenbert {
namespace {

constexpr const char* kFormat = "greenbert-study-state";
constexpr int kVersion = 1;

constexpr StageStatus kStatuses[] = {StageStatus::pending,     StageStatus::running,
                                     StageStatus::done,        StageStatus::failed,
                                     StageStatus::interrupted, StageStatus::blocked};

StageStatus parse_status(const std::string& name) {
  for (StageStatus s : kStatuses)
    if (stage_status_name(s) == name) return s;
  fail("unknown stage status '", name, "'");
}

struct FileStat {
  uint64_t bytes = 0;
  int64_t mtime_ns = 0;
};

std::optional<FileStat> stat_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileStat{static_cast<uint64_t>(st.st_size),
                  static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::string fnv1a_hex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), ": cannot open to fingerprint it: ", std::strerror(errno));
  uint64_t hash = 0xcbf29ce484222325ULL;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<size_t>(in.gcount());
    for (size_t i = 0; i < n; ++i) {
      hash ^= static_cast<uint8_t>(buffer[i]);
      hash *= 0x100000001b3ULL;
    }
  }
  if (in.bad()) fail(path.string(), ": read failed while fingerprinting it");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

nlohmann::ordered_json to_json(const StageRecord& r) {
  nlohmann::ordered_json outputs = nlohmann::ordered_json::array();
  for (const auto& o : r.outputs)
    outputs.push_back(
        {{"path", o.path}, {"bytes", o.bytes}, {"mtime_ns", o.mtime_ns}, {"fnv1a64", o.hash}});
  return {{"id", r.id},
          {"model", r.model},
          {"kind", r.kind},
          {"command", r.command},
          {"status", stage_status_name(r.status)},
          {"attempts", r.attempts},
          {"seconds", r.seconds},
          {"finished", r.finished},
          {"failure", r.failure},
          {"outputs", outputs},
          {"energy_runs", r.energy_runs}};
}

StageRecord stage_from_json(const nlohmann::json& j) {
  StageRecord r;
  r.id = j.at("id").get<std::string>();
  r.model = j.at("model").get<std::string>();
  r.kind = j.at("kind").get<std::string>();
  r.command = j.at("command").get<std::vector<std::string>>();
  r.status = parse_status(j.at("status").get<std::string>());
  r.attempts = json_integer<int>(j.at("attempts"), "attempts");
  r.seconds = j.at("seconds").get<double>();
  r.finished = j.at("finished").get<std::string>();
  r.failure = j.at("failure").get<std::string>();
  for (const auto& o : j.at("outputs"))
    r.outputs.push_back(
        {o.at("path").get<std::string>(), json_integer<uint64_t>(o.at("bytes"), "bytes"),
         json_integer<int64_t>(o.at("mtime_ns"), "mtime_ns"), o.at("fnv1a64").get<std::string>()});
  r.energy_runs = j.at("energy_runs").get<std::vector<std::string>>();
  return r;
}

}  // namespace

std::string_view stage_status_name(StageStatus status) {
  switch (status) {
    case StageStatus::pending:
      return "pending";
    case StageStatus::running:
      return "running";
    case StageStatus::done:
      return "done";
    case StageStatus::failed:
      return "failed";
    case StageStatus::interrupted:
      return "interrupted";
    case StageStatus::blocked:
      return "blocked";
  }
  return "pending";
}

FileFingerprint fingerprint_file(const std::filesystem::path& dir, const std::string& path) {
  const auto full = dir / path;
  const auto st = stat_file(full);
  if (!st) fail(full.string(), ": missing (a stage should have written it)");
  return {path, st->bytes, st->mtime_ns, fnv1a_hex(full)};
}

std::string fingerprint_mismatch(const std::filesystem::path& dir, const FileFingerprint& print) {
  const auto full = dir / print.path;
  const auto st = stat_file(full);
  if (!st) return cat(print.path, " is missing");
  if (st->bytes != print.bytes) return cat(print.path, " changed size");
  if (st->mtime_ns == print.mtime_ns || fnv1a_hex(full) == print.hash) return "";
  return cat(print.path, " changed");
}

const StageRecord* StudyState::find(std::string_view id) const {
  for (const auto& s : stages)
    if (s.id == id) return &s;
  return nullptr;
}

StageRecord* StudyState::find(std::string_view id) {
  for (auto& s : stages)
    if (s.id == id) return &s;
  return nullptr;
}

StudyState read_study_state(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file))
    fail(file.string(), ": missing; is ", file.parent_path().string(),
         " a study directory (greenbert study --out DIR)?");
  try {
    const auto j = read_json_file(file);
    if (j.value("format", "") != kFormat)
      fail("not a study manifest (format is not \"", kFormat, "\")");
    if (j.value("version", 0) != kVersion)
      fail("manifest version ", j.value("version", 0), ", this greenbert reads version ", kVersion);
    StudyState state;
    state.settings = settings_from_json(j.at("settings"), file.string());
    state.hardware = j.at("hardware");
    for (const auto& s : j.at("stages")) state.stages.push_back(stage_from_json(s));
    return state;
  } catch (const nlohmann::json::exception& e) {
    fail(file.string(), ": ", e.what());
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(file.string(), 0) == 0) throw;
    fail(file.string(), ": ", what);
  }
}

void write_study_state(const std::filesystem::path& file, const StudyState& state) {
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  for (const auto& s : state.stages) stages.push_back(to_json(s));
  const nlohmann::ordered_json j = {{"format", kFormat},
                                    {"version", kVersion},
                                    {"greenbert_version", GREENBERT_VERSION},
                                    {"settings", to_json(state.settings)},
                                    {"hardware", state.hardware},
                                    {"stages", stages}};
  write_file_atomically(file, j.dump(2) + "\n");
}

nlohmann::ordered_json hardware_json() {
  const SystemInfo info = system_info();
  return {{"cpu", info.cpu_model},
          {"logical_cpus", info.logical_cpus},
          {"physical_cores", info.physical_cores},
          {"isa", info.isa},
          {"ram_gb", info.ram_total_gb},
          {"os", info.os}};
}

}  // namespace greenbert
