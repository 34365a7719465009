#include "data/predict_reader.h"

#include <nlohmann/json.hpp>

#include <limits>

#include "core/error.h"
#include "core/json_document.h"
#include "data/ascii_space.h"
#include "data/encode_example.h"
#include "data/utf8_check.h"

namespace greenbert {
namespace {

std::vector<int32_t> int_array(const nlohmann::json& object, const char* key,
                               const std::string& where) {
  const auto& value = object.at(key);
  if (!value.is_array()) fail(where, ": \"", key, "\" must be an array of integers");
  std::vector<int32_t> values;
  values.reserve(value.size());
  for (const auto& v : value) {
    if (!v.is_number_integer() || v.get<int64_t>() < std::numeric_limits<int32_t>::min() ||
        v.get<int64_t>() > std::numeric_limits<int32_t>::max())
      fail(where, ": \"", key, "\" must be an array of integers");
    values.push_back(v.get<int32_t>());
  }
  return values;
}

// {"input_ids", "attention_mask"?, "token_type_ids"?} → packed ids with HF's positions.
void parse_model_input(const nlohmann::json& object, PredictInput& input) {
  const std::string& where = input.where;
  const auto ids = int_array(object, "input_ids", where);
  const auto mask = object.contains("attention_mask") ? int_array(object, "attention_mask", where)
                                                      : std::vector<int32_t>(ids.size(), 1);
  const auto types = object.contains("token_type_ids") ? int_array(object, "token_type_ids", where)
                                                       : std::vector<int32_t>(ids.size(), 0);
  if (ids.empty()) fail(where, ": \"input_ids\" is empty");
  if (mask.size() != ids.size() || types.size() != ids.size())
    fail(where, ": input_ids, attention_mask and token_type_ids must have the same length (",
         ids.size(), ", ", mask.size(), ", ", types.size(), ")");
  if (mask[0] != 1)
    fail(where, ": attention_mask[0] must be 1: the classifier reads the first token ([CLS])");
  input.has_ids = true;
  input.input_ids.clear();
  input.token_type_ids.clear();
  input.position_ids.clear();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (mask[i] != 0 && mask[i] != 1)
      fail(where, ": attention_mask[", i, "] is ", mask[i], ", expected 0 or 1");
    if (mask[i] == 0) continue;
    input.input_ids.push_back(ids[i]);
    input.token_type_ids.push_back(types[i]);
    input.position_ids.push_back(static_cast<int32_t>(i));
  }
}

std::string checked_text(std::string_view text, const std::string& where, const char* what) {
  if (find_invalid_utf8(text) != std::string_view::npos) fail(where, ": ", what, " is not UTF-8");
  return std::string(trim_ascii_space(text));
}

void parse_json_line(std::string_view line, PredictInput& input) {
  const auto json = parse_json(line, input.where);
  if (!json.is_object()) fail(input.where, ": not a JSON object");
  if (json.contains("id")) {
    const nlohmann::json& id = json["id"];
    if (id.is_string())
      input.id = checked_text(id.get<std::string>(), input.where, "id");
    else if (id.is_number_integer())
      input.id = id.dump();
    else
      fail(input.where, ": \"id\" must be a string or an integer");
  }
  if (json.contains("input_ids")) return parse_model_input(json, input);
  auto text_of = [&](const char* key) {
    if (!json[key].is_string()) fail(input.where, ": \"", key, "\" must be a string");
    return checked_text(json[key].get<std::string>(), input.where, key);
  };
  if (json.contains("text")) {
    input.text.abstract = text_of("text");
  } else if (json.contains("abstract")) {
    input.text.abstract = text_of("abstract");
    if (json.contains("title")) input.text.title = text_of("title");
  } else {
    fail(input.where,
         ": needs \"text\", or \"abstract\" (and optionally \"title\"), or \"input_ids\"");
  }
}

}  // namespace

PredictFormat predict_format_of(const std::filesystem::path& path) {
  const auto ext = path.extension();
  if (ext == ".csv") return PredictFormat::csv;
  if (ext == ".jsonl" || ext == ".json") return PredictFormat::jsonl;
  return PredictFormat::lines;
}

PredictReader::PredictReader(std::istream& in, std::string name, PredictFormat format,
                             PredictReaderOptions options)
    : in_(in), name_(std::move(name)), format_(format), options_(std::move(options)) {
  if (format_ != PredictFormat::csv) return;
  csv_ = std::make_unique<CsvReader>(in_, name_);
  text_column_ = csv_->column(options_.text_column);
  const auto& header = csv_->header();
  for (size_t c = 0; c < header.size(); ++c)
    if (header[c] == options_.title_column) title_column_ = c, has_title_ = true;
}

bool PredictReader::next_line(std::string& line) {
  if (!std::getline(in_, line)) {
    if (in_.bad()) fail(name_, ": read failed");
    return false;
  }
  ++line_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

bool PredictReader::next(PredictInput& input) {
  input = PredictInput{};
  if (format_ == PredictFormat::csv) {
    CsvRecord record;
    if (!csv_->next(record)) return false;
    input.where = cat(name_, ":", record.line);
    if (!record.problem.empty()) fail(input.where, ": ", record.problem);
    input.text.abstract =
        checked_text(record.fields[text_column_], input.where, options_.text_column.c_str());
    if (has_title_)
      input.text.title =
          checked_text(record.fields[title_column_], input.where, options_.title_column.c_str());
    return true;
  }
  std::string line;
  while (next_line(line)) {
    input.where = cat(name_, ":", line_);
    const std::string_view trimmed = trim_ascii_space(line);
    if (format_ == PredictFormat::jsonl) {
      if (trimmed.empty()) continue;  // JSON Lines readers pass over blank lines
      parse_json_line(trimmed, input);
    } else if (options_.ids_lines && trimmed.starts_with('{')) {
      parse_json_line(trimmed, input);
      if (!input.has_ids) fail(input.where, ": a JSON line must hold \"input_ids\"");
    } else {
      // One input per line, an empty line included: outputs stay aligned with input lines.
      input.text.abstract = checked_text(trimmed, input.where, "the line");
    }
    return true;
  }
  return false;
}

}  // namespace greenbert
