#include "infer/prediction_shards.h"

#include <charconv>
#include <fstream>
#include <memory>
#include <vector>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/option_differences.h"

namespace greenbert {
namespace {

constexpr std::string_view kIndexKey = "{\"index\":";

// The non-negative decimal integer that is all of `text`, or -1.
int64_t whole_number(std::string_view text) {
  int64_t value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty() || value < 0)
    return -1;
  return value;
}

struct ShardFile {
  std::filesystem::path path;
  std::ifstream in;
  int64_t line = 0;
  // The next line, without its '\n'; false at the end. A last line without '\n' is torn: the
  // shard was interrupted while writing it.
  bool next(std::string& text) {
    if (!std::getline(in, text)) {
      if (in.bad()) fail(path.string(), ": read failed");
      return false;
    }
    ++line;
    if (in.eof())
      fail(path.string(), ":", line,
           ": a torn last line (no end of line): this shard was interrupted; resume it with "
           "`greenbert predict --resume`");
    return true;
  }
};

}  // namespace

std::filesystem::path prediction_record_file(const std::filesystem::path& output) {
  std::filesystem::path path = output;
  path += ".predict.json";
  return path;
}

void write_prediction_record(const std::filesystem::path& output, const PredictionRecord& record) {
  const nlohmann::json json = {
      {"options", record.options}, {"complete", record.complete}, {"answers", record.answers}};
  write_file_atomically(prediction_record_file(output), json.dump(2) + "\n");
}

std::optional<PredictionRecord> read_prediction_record(const std::filesystem::path& output) {
  const std::filesystem::path path = prediction_record_file(output);
  if (!std::filesystem::exists(path)) return std::nullopt;
  const nlohmann::json json = read_json_file(path);
  if (!json.is_object() || !json.contains("options") || !json["options"].is_object() ||
      !json["options"].contains("shard") || !json["options"]["shard"].is_string() ||
      !json.contains("complete") || !json["complete"].is_boolean() || !json.contains("answers") ||
      !json["answers"].is_number_integer() || json["answers"].get<int64_t>() < 0)
    fail(path.string(),
         ": not a record of greenbert predict --output (it needs \"options\" with \"shard\", "
         "\"complete\" and \"answers\")");
  PredictionRecord record;
  record.options = json["options"];
  record.complete = json["complete"].get<bool>();
  record.answers = json["answers"].get<int64_t>();
  return record;
}

Shard parse_shard(std::string_view text, const char* option) {
  const size_t slash = text.find('/');
  Shard shard;
  if (slash != std::string_view::npos) {
    shard.index = whole_number(text.substr(0, slash));
    shard.count = whole_number(text.substr(slash + 1));
  }
  if (slash == std::string_view::npos || shard.index < 0 || shard.count < 1 ||
      shard.index >= shard.count)
    fail(option, " must be K/N with 0 <= K < N (shard K of N), got '", text, "'");
  return shard;
}

std::string shard_name(const Shard& shard) {
  return cat(shard.index, "/", shard.count);
}

std::string indexed_line(int64_t position, std::string_view line) {
  return cat(kIndexKey, position, ",", line.substr(1));
}

int64_t merge_prediction_shards(std::span<const std::filesystem::path> shards,
                                const std::filesystem::path& out) {
  if (shards.empty()) fail("merge: no shard files given");
  std::vector<std::unique_ptr<ShardFile>> files;
  for (const auto& path : shards) {
    auto file = std::make_unique<ShardFile>();
    file->path = path;
    file->in.open(path, std::ios::binary);
    if (!file->in) fail(path.string(), ": cannot open");
    files.push_back(std::move(file));
  }
  const int64_t count = static_cast<int64_t>(files.size());
  std::vector<PredictionRecord> records;
  for (int64_t k = 0; k < count; ++k) {
    const std::filesystem::path& path = files[static_cast<size_t>(k)]->path;
    std::optional<PredictionRecord> record = read_prediction_record(path);
    if (!record)
      fail(path.string(), ": no ", prediction_record_file(path).filename().string(),
           " beside it: not an output of greenbert predict --output");
    if (!record->complete)
      fail(path.string(),
           ": incomplete (its greenbert predict did not finish): resume it with --resume");
    const std::string shard = record->options["shard"].get<std::string>();
    if (shard != cat(k, "/", count))
      fail(path.string(), ": is shard ", shard, ", given as shard ", k, "/", count,
           ": give the shards in order, 0 to ", count - 1);
    static const std::vector<std::string> kShard = {"shard"};
    if (k > 0)
      if (const std::string other = differing_options(records[0].options, record->options, kShard);
          !other.empty())
        fail(path.string(), ": written with other options than ", shards[0].string(), ": ", other);
    records.push_back(std::move(*record));
  }
  int64_t position = 0;
  write_file_atomically(out, [&](std::ostream& merged) {
    std::string line;
    for (;; ++position) {
      ShardFile& shard = *files[static_cast<size_t>(position % count)];
      if (!shard.next(line)) break;
      const std::string where = cat(shard.path.string(), ":", shard.line);
      if (!line.starts_with(kIndexKey))
        fail(where, ": not a shard's line (no leading \"index\"): written without --shard?");
      const size_t comma = line.find(',', kIndexKey.size());
      const int64_t index = comma == std::string::npos
                                ? -1
                                : whole_number(std::string_view(line).substr(
                                      kIndexKey.size(), comma - kIndexKey.size()));
      if (index < 0) fail(where, ": \"index\" is not an input position");
      if (index != position)
        fail(where, ": the line of input ", index, " where input ", position,
             " belongs: give the shards in order, 0 to ", count - 1,
             ", all written with --shard K/", count);
      merged << '{' << std::string_view(line).substr(comma + 1) << '\n';
    }
    // Shard position % count has ended: every shard must have ended with it.
    for (const auto& other : files)
      if (other->next(line))
        fail(other->path.string(), ":", other->line, ": input ", position, " is missing (",
             files[static_cast<size_t>(position % count)]->path.string(),
             " ends before it) while this shard goes on: that shard is incomplete; resume it "
             "with `greenbert predict --resume`");
    for (size_t k = 0; k < files.size(); ++k)
      if (files[k]->line != records[k].answers)
        fail(files[k]->path.string(), ": holds ", files[k]->line, " answers, but its ",
             prediction_record_file(files[k]->path).filename().string(), " says ",
             records[k].answers, ": it was changed after predict wrote it");
  });
  return position;
}

}  // namespace greenbert
