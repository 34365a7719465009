#include "energy/emissions_csv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <variant>

#include "core/atomic_file.h"
#include "core/error.h"

namespace greenbert {
namespace {

using Field = std::variant<std::string EmissionsRecord::*, double EmissionsRecord::*,
                           int EmissionsRecord::*, std::optional<double> EmissionsRecord::*>;

struct Column {
  std::string_view name;
  Field field;
};

// The one place that fixes the columns and their order.
const Column kColumns[] = {
    {"timestamp", &EmissionsRecord::timestamp},
    {"project_name", &EmissionsRecord::project_name},
    {"run_id", &EmissionsRecord::run_id},
    {"experiment_id", &EmissionsRecord::experiment_id},
    {"duration", &EmissionsRecord::duration},
    {"emissions", &EmissionsRecord::emissions},
    {"emissions_rate", &EmissionsRecord::emissions_rate},
    {"cpu_power", &EmissionsRecord::cpu_power},
    {"gpu_power", &EmissionsRecord::gpu_power},
    {"ram_power", &EmissionsRecord::ram_power},
    {"cpu_energy", &EmissionsRecord::cpu_energy},
    {"gpu_energy", &EmissionsRecord::gpu_energy},
    {"ram_energy", &EmissionsRecord::ram_energy},
    {"energy_consumed", &EmissionsRecord::energy_consumed},
    {"water_consumed", &EmissionsRecord::water_consumed},
    {"country_name", &EmissionsRecord::country_name},
    {"country_iso_code", &EmissionsRecord::country_iso_code},
    {"region", &EmissionsRecord::region},
    {"cloud_provider", &EmissionsRecord::cloud_provider},
    {"cloud_region", &EmissionsRecord::cloud_region},
    {"os", &EmissionsRecord::os},
    {"python_version", &EmissionsRecord::python_version},
    {"codecarbon_version", &EmissionsRecord::codecarbon_version},
    {"cpu_count", &EmissionsRecord::cpu_count},
    {"cpu_model", &EmissionsRecord::cpu_model},
    {"gpu_count", &EmissionsRecord::gpu_count},
    {"gpu_model", &EmissionsRecord::gpu_model},
    {"longitude", &EmissionsRecord::longitude},
    {"latitude", &EmissionsRecord::latitude},
    {"ram_total_size", &EmissionsRecord::ram_total_size},
    {"tracking_mode", &EmissionsRecord::tracking_mode},
    {"cpu_utilization_percent", &EmissionsRecord::cpu_utilization_percent},
    {"gpu_utilization_percent", &EmissionsRecord::gpu_utilization_percent},
    {"ram_utilization_percent", &EmissionsRecord::ram_utilization_percent},
    {"ram_used_gb", &EmissionsRecord::ram_used_gb},
    {"on_cloud", &EmissionsRecord::on_cloud},
    {"pue", &EmissionsRecord::pue},
    {"wue", &EmissionsRecord::wue},
};
constexpr size_t kColumnCount = std::size(kColumns);

const std::vector<std::string_view>& column_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& column : kColumns) out.push_back(column.name);
    return out;
  }();
  return names;
}

// Shortest text that reads back to the same double; integral values keep a ".0" as Python
// writes floats, so the file looks like CodeCarbon's.
std::string format_number(double value, std::string_view column) {
  if (!std::isfinite(value)) fail("emissions.csv: column ", column, " is not finite: ", value);
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, end);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string quote_if_needed(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

std::string format_field(const EmissionsRecord& record, const Column& column) {
  return std::visit(
      [&](auto member) -> std::string {
        const auto& value = record.*member;
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return quote_if_needed(value);
        } else if constexpr (std::is_same_v<T, double>) {
          return format_number(value, column.name);
        } else if constexpr (std::is_same_v<T, int>) {
          return std::to_string(value);
        } else {
          return value ? format_number(*value, column.name) : std::string();
        }
      },
      column.field);
}

// Splits one CSV line (RFC 4180 quoting, no line breaks inside fields).
std::vector<std::string> split_csv_line(std::string_view line, const std::string& where) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) fail(where, ": unterminated quoted field");
  return fields;
}

double parse_number(const std::string& text, std::string_view column, const std::string& where) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value))
    fail(where, ": column ", column, ": '", text, "' is not a number");
  return value;
}

void parse_field(EmissionsRecord& record, const Column& column, const std::string& text,
                 const std::string& where) {
  std::visit(
      [&](auto member) {
        auto& value = record.*member;
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          value = text;
        } else if constexpr (std::is_same_v<T, double>) {
          value = parse_number(text, column.name, where);
        } else if constexpr (std::is_same_v<T, int>) {
          double number = parse_number(text, column.name, where);
          if (number < 0 || number != std::floor(number) || number > 1e9)
            fail(where, ": column ", column.name, ": '", text, "' is not a count");
          value = static_cast<int>(number);
        } else {
          value = text.empty() ? std::nullopt
                               : std::optional<double>(parse_number(text, column.name, where));
        }
      },
      column.field);
}

bool looks_like_timestamp(const std::string& text) {
  // 2024-05-07T13:54:33
  if (text.size() != 19) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char expected = i == 4 || i == 7 ? '-' : i == 10 ? 'T' : i == 13 || i == 16 ? ':' : '0';
    if (expected == '0' ? !std::isdigit(static_cast<unsigned char>(text[i])) : text[i] != expected)
      return false;
  }
  return true;
}

void validate_record(const EmissionsRecord& r, const std::string& where) {
  if (r.run_id.empty()) fail(where, ": run_id is empty");
  if (!looks_like_timestamp(r.timestamp))
    fail(where, ": timestamp '", r.timestamp, "' is not %Y-%m-%dT%H:%M:%S");
  for (const Column& column : kColumns) {
    if (auto member = std::get_if<double EmissionsRecord::*>(&column.field)) {
      if (r.**member < 0) fail(where, ": column ", column.name, " is negative: ", r.**member);
    }
  }
  const double parts = r.cpu_energy + r.gpu_energy + r.ram_energy;
  if (std::abs(parts - r.energy_consumed) > 1e-12 + 1e-6 * std::abs(r.energy_consumed))
    fail(where, ": energy_consumed ", r.energy_consumed,
         " kWh is not cpu_energy + gpu_energy + ram_energy = ", parts, " kWh");
  if (r.tracking_mode != "machine" && r.tracking_mode != "process")
    fail(where, ": tracking_mode '", r.tracking_mode, "' is neither machine nor process");
  if (r.on_cloud != "Y" && r.on_cloud != "N")
    fail(where, ": on_cloud '", r.on_cloud, "' is neither Y nor N");
  if (r.pue < 1) fail(where, ": pue ", r.pue, " is below 1");
}

std::string header_mismatch(const std::vector<std::string>& found) {
  for (size_t i = 0; i < std::min(found.size(), kColumnCount); ++i) {
    if (found[i] != kColumns[i].name)
      return cat("column ", i + 1, " is '", found[i], "', expected '", kColumns[i].name, "'");
  }
  return cat(found.size(), " columns, expected ", kColumnCount);
}

std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), ": cannot open");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::span<const std::string_view> emissions_csv_columns() {
  return column_names();
}

std::string emissions_csv_header() {
  std::string header;
  for (const auto& column : kColumns) header += cat(header.empty() ? "" : ",", column.name);
  return header + "\n";
}

std::string format_emissions_row(const EmissionsRecord& record) {
  std::string row;
  for (size_t i = 0; i < kColumnCount; ++i) {
    if (i > 0) row += ',';
    row += format_field(record, kColumns[i]);
  }
  return row + "\n";
}

void append_emissions_row(const std::filesystem::path& csv, const EmissionsRecord& record) {
  const std::string row = format_emissions_row(record);  // fails before touching the file
  const std::string header = emissions_csv_header();
  if (!csv.parent_path().empty()) std::filesystem::create_directories(csv.parent_path());
  create_file_if_absent(csv, header);
  const std::string existing = first_line(csv);
  if (existing + "\n" != header) {
    if (existing.empty()) fail(csv.string(), ":1: file exists but has no header; remove it");
    fail(csv.string(), ":1: header is not CodeCarbon 3.x's emissions.csv columns (",
         header_mismatch(split_csv_line(existing, csv.string() + ":1")),
         "); refusing to mix schemas: write to another file or move this one away");
  }
  append_file_durably(csv, row);
}

EmissionsRecord parse_emissions_row(std::string_view line, const std::string& where) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const auto fields = split_csv_line(line, where);
  if (fields.size() != kColumnCount)
    fail(where, ": ", fields.size(), " fields, expected ", kColumnCount, " (torn or garbled row)");
  EmissionsRecord record;
  for (size_t i = 0; i < kColumnCount; ++i) parse_field(record, kColumns[i], fields[i], where);
  validate_record(record, where);
  return record;
}

std::vector<EmissionsRecord> read_emissions_csv(const std::filesystem::path& csv) {
  const std::string text = read_whole_lines(csv);
  const std::string name = csv.string();
  if (text.empty()) fail(name, ":1: empty file, expected the emissions.csv header");
  std::vector<EmissionsRecord> records;
  std::map<std::string, size_t> run_lines;
  size_t start = 0;
  for (size_t line_number = 1; start < text.size(); ++line_number) {
    const std::string where = cat(name, ":", line_number);
    const size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_number == 1) {
      if (line + "\n" != emissions_csv_header())
        fail(where, ": header is not CodeCarbon 3.x's emissions.csv columns (",
             header_mismatch(split_csv_line(line, where)), ")");
      continue;
    }
    EmissionsRecord record = parse_emissions_row(line, where);
    auto [previous, inserted] = run_lines.emplace(record.run_id, line_number);
    if (!inserted) fail(where, ": run_id ", record.run_id, " repeats line ", previous->second);
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace greenbert
