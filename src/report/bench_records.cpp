#include "report/bench_records.h"

#include <span>
#include <type_traits>
#include <variant>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"

namespace greenbert {
namespace {

using Json = nlohmann::ordered_json;

// A point's optional fields, in the order they are written; the same table reads them. The
// latency percentiles sit in their own object, between the two lists.
using PointMember = std::variant<std::optional<double> BenchPoint::*,
                                 std::optional<int64_t> BenchPoint::*, std::string BenchPoint::*>;
struct PointField {
  const char* key;
  PointMember member;
};
const PointField kBeforeLatency[] = {{"min", &BenchPoint::min},
                                     {"max", &BenchPoint::max},
                                     {"emissions", &BenchPoint::emissions_kg},
                                     {"memory_usage_mb", &BenchPoint::memory_mb},
                                     {"cpu_time", &BenchPoint::cpu_time},
                                     {"throughput_seq_per_s", &BenchPoint::throughput},
                                     {"throughput_sequences", &BenchPoint::throughput_sequences}};
const PointField kLatency[] = {{"p50", &BenchPoint::latency_p50_ms},
                               {"p90", &BenchPoint::latency_p90_ms},
                               {"p99", &BenchPoint::latency_p99_ms}};
const PointField kAfterLatency[] = {{"energy_per_1000_j", &BenchPoint::energy_per_1000_j},
                                    {"energy_method", &BenchPoint::energy_method},
                                    {"gemm_gops", &BenchPoint::gemm_gops},
                                    {"gemm_reference_gops", &BenchPoint::gemm_reference_gops},
                                    {"gemm_efficiency", &BenchPoint::gemm_efficiency},
                                    {"gemm_time_share", &BenchPoint::gemm_time_share},
                                    {"gemm_implementation", &BenchPoint::gemm_implementation},
                                    {"attention", &BenchPoint::attention},
                                    {"activations", &BenchPoint::activations}};
constexpr const char* kLatencyKey = "latency_ms";

constexpr const char* kRecordKeys[] = {"format",    "version",     "model_name",    "precision",
                                       "quantized", "batch_sizes", "model_size_mb", "parameters",
                                       "threads",   "hardware",    "max_length",    "abstracts"};

bool listed(std::string_view key, std::span<const char* const> keys) {
  for (const char* k : keys)
    if (key == k) return true;
  return false;
}

std::optional<double> number_at(const Json& j, const char* key) {
  auto found = j.find(key);
  if (found == j.end() || found->is_null()) return std::nullopt;
  if (!found->is_number()) fail("'", key, "' is not a number");
  return found->get<double>();
}

std::optional<int64_t> integer_at(const Json& j, const char* key) {
  auto found = j.find(key);
  if (found == j.end() || found->is_null()) return std::nullopt;
  return json_integer<int64_t>(*found, key);
}

std::string text_at(const Json& j, const char* key) {
  auto found = j.find(key);
  if (found == j.end() || found->is_null()) return "";
  if (!found->is_string()) fail("'", key, "' is not a string");
  return found->get<std::string>();
}

template <typename T>
void put(Json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

void put(Json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

void put_fields(Json& j, const BenchPoint& p, std::span<const PointField> fields) {
  for (const PointField& f : fields)
    std::visit([&](auto member) { put(j, f.key, p.*member); }, f.member);
}

void read_fields(const Json& j, BenchPoint& p, std::span<const PointField> fields) {
  for (const PointField& f : fields)
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(p.*member)>;
          if constexpr (std::is_same_v<T, std::optional<double>>)
            p.*member = number_at(j, f.key);
          else if constexpr (std::is_same_v<T, std::optional<int64_t>>)
            p.*member = integer_at(j, f.key);
          else
            p.*member = text_at(j, f.key);
        },
        f.member);
}

bool point_field(std::string_view key) {
  if (key == "batch_size" || key == "inference_time" || key == kLatencyKey) return true;
  for (const auto& fields :
       {std::span<const PointField>(kBeforeLatency), std::span<const PointField>(kAfterLatency)})
    for (const PointField& f : fields)
      if (key == f.key) return true;
  return false;
}

// A key is a backend when it holds a list of objects with a batch size.
bool is_backend(const Json& value) {
  if (!value.is_array() || value.empty()) return false;
  for (const auto& point : value)
    if (!point.is_object() || !point.contains("batch_size")) return false;
  return true;
}

BenchRecord read_record(const Json& j) {
  if (!j.is_object()) fail("not an object");
  if (j.contains("format")) check_json_format(j, kBenchFormat, kBenchVersion, "record");
  BenchRecord r;
  if (!j.contains("model_name") || !j["model_name"].is_string()) fail("no model_name");
  r.model = j["model_name"].get<std::string>();
  if (!j.contains("precision") || !j["precision"].is_string()) fail("no precision");
  r.precision = parse_precision(j["precision"].get<std::string>(), "precision");
  r.quantized = j.contains("quantized") && j["quantized"].is_boolean()
                    ? j["quantized"].get<bool>()
                    : r.precision != Precision::fp32;
  if (j.contains("batch_sizes") && j["batch_sizes"].is_array())
    for (const auto& b : j["batch_sizes"])
      r.batch_sizes.push_back(json_integer<int64_t>(b, "batch_sizes"));
  r.model_size_mb = number_at(j, "model_size_mb");
  r.parameters = integer_at(j, "parameters");
  r.threads = integer_at(j, "threads");
  if (j.contains("hardware") && j["hardware"].is_object()) {
    const Json& h = j["hardware"];
    r.hardware = BenchHardware{text_at(h, "cpu"), text_at(h, "isa"),
                               integer_at(h, "physical_cores"), integer_at(h, "logical_cpus")};
  }
  r.max_length = integer_at(j, "max_length");
  r.abstracts = integer_at(j, "abstracts").value_or(20);
  for (const auto& [key, value] : j.items()) {
    if (listed(key, kRecordKeys)) continue;
    if (!is_backend(value)) {
      r.others[key] = value;
      continue;
    }
    std::vector<BenchPoint> points;
    for (const auto& point : value) {
      try {
        points.push_back(bench_point_from_json(point));
      } catch (const std::exception& e) {
        fail(key, ": ", e.what());
      }
    }
    r.backends.emplace_back(key, std::move(points));
  }
  return r;
}

}  // namespace

const std::vector<BenchPoint>* BenchRecord::backend(std::string_view name) const {
  for (const auto& [key, points] : backends)
    if (key == name) return &points;
  return nullptr;
}

Json to_json(const BenchPoint& p) {
  Json j;
  j["batch_size"] = p.batch_size;
  j["inference_time"] = p.inference_time;
  put_fields(j, p, kBeforeLatency);
  Json latency = Json::object();
  put_fields(latency, p, kLatency);
  if (!latency.empty()) j[kLatencyKey] = latency;
  put_fields(j, p, kAfterLatency);
  for (const auto& [key, value] : p.others.items()) j[key] = value;
  return j;
}

BenchPoint bench_point_from_json(const Json& j) {
  if (!j.is_object()) fail("a point is not an object");
  BenchPoint p;
  p.batch_size =
      json_integer<int64_t>(j.contains("batch_size") ? j["batch_size"] : Json(), "batch_size");
  if (p.batch_size <= 0) fail("batch_size ", p.batch_size, " is not positive");
  const auto time = number_at(j, "inference_time");
  if (!time) fail("no inference_time");
  p.inference_time = *time;
  read_fields(j, p, kBeforeLatency);
  if (auto latency = j.find(kLatencyKey); latency != j.end() && latency->is_object())
    read_fields(*latency, p, kLatency);
  read_fields(j, p, kAfterLatency);
  for (const auto& [key, value] : j.items())
    if (!point_field(key)) p.others[key] = value;
  return p;
}

Json to_json(const BenchRecord& r) {
  Json j;
  j["format"] = kBenchFormat;
  j["version"] = kBenchVersion;
  j["model_name"] = r.model;
  j["precision"] = precision_name(r.precision);
  j["quantized"] = r.quantized;
  j["batch_sizes"] = r.batch_sizes;
  put(j, "model_size_mb", r.model_size_mb);
  put(j, "parameters", r.parameters);
  put(j, "threads", r.threads);
  if (r.hardware) {
    Json hardware = {{"cpu", r.hardware->cpu}, {"isa", r.hardware->isa}};
    put(hardware, "physical_cores", r.hardware->physical_cores);
    put(hardware, "logical_cpus", r.hardware->logical_cpus);
    j["hardware"] = hardware;
  }
  put(j, "max_length", r.max_length);
  j["abstracts"] = r.abstracts;
  for (const auto& [key, value] : r.others.items()) j[key] = value;
  for (const auto& [backend, points] : r.backends) {
    Json list = Json::array();
    for (const BenchPoint& p : points) list.push_back(to_json(p));
    j[backend] = list;
  }
  return j;
}

std::vector<BenchRecord> read_bench_file(const std::filesystem::path& file) {
  Json j = read_ordered_json_file(file);
  if (!j.is_array()) j = Json::array({j});
  std::vector<BenchRecord> records;
  for (size_t i = 0; i < j.size(); ++i) {
    try {
      records.push_back(read_record(j[i]));
    } catch (const std::exception& e) {
      fail(file.string(), ": record ", i + 1, ": ", e.what());
    }
  }
  return records;
}

void write_bench_file(const std::filesystem::path& file, const std::vector<BenchRecord>& records) {
  Json j = Json::array();
  for (const BenchRecord& r : records) j.push_back(to_json(r));
  write_file_atomically(file, j.dump(2) + "\n");
}

const BenchPoint* point_at(const std::vector<BenchPoint>& points, int64_t batch_size) {
  for (const auto& p : points)
    if (p.batch_size == batch_size) return &p;
  return nullptr;
}

}  // namespace greenbert
