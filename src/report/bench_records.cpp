#include "report/bench_records.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"

namespace greenbert {
namespace {

using Json = nlohmann::ordered_json;

// The keys of a point and of a record, in the order they are written; anything else is kept in
// `others`.
constexpr const char* kPointKeys[] = {"batch_size",
                                      "inference_time",
                                      "min",
                                      "max",
                                      "emissions",
                                      "memory_usage_mb",
                                      "cpu_time",
                                      "throughput_seq_per_s",
                                      "throughput_sequences",
                                      "latency_ms",
                                      "energy_per_1000_j",
                                      "energy_method",
                                      "gemm_gops",
                                      "gemm_reference_gops",
                                      "gemm_efficiency",
                                      "gemm_time_share",
                                      "gemm_implementation",
                                      "attention",
                                      "activations"};
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
  put(j, "min", p.min);
  put(j, "max", p.max);
  put(j, "emissions", p.emissions_kg);
  put(j, "memory_usage_mb", p.memory_mb);
  put(j, "cpu_time", p.cpu_time);
  put(j, "throughput_seq_per_s", p.throughput);
  put(j, "throughput_sequences", p.throughput_sequences);
  if (p.latency_p50_ms || p.latency_p90_ms || p.latency_p99_ms) {
    Json latency = Json::object();
    put(latency, "p50", p.latency_p50_ms);
    put(latency, "p90", p.latency_p90_ms);
    put(latency, "p99", p.latency_p99_ms);
    j["latency_ms"] = latency;
  }
  put(j, "energy_per_1000_j", p.energy_per_1000_j);
  put(j, "energy_method", p.energy_method);
  put(j, "gemm_gops", p.gemm_gops);
  put(j, "gemm_reference_gops", p.gemm_reference_gops);
  put(j, "gemm_efficiency", p.gemm_efficiency);
  put(j, "gemm_time_share", p.gemm_time_share);
  put(j, "gemm_implementation", p.gemm_implementation);
  put(j, "attention", p.attention);
  put(j, "activations", p.activations);
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
  p.min = number_at(j, "min");
  p.max = number_at(j, "max");
  p.emissions_kg = number_at(j, "emissions");
  p.memory_mb = number_at(j, "memory_usage_mb");
  p.cpu_time = number_at(j, "cpu_time");
  p.throughput = number_at(j, "throughput_seq_per_s");
  p.throughput_sequences = integer_at(j, "throughput_sequences");
  if (auto latency = j.find("latency_ms"); latency != j.end() && latency->is_object()) {
    p.latency_p50_ms = number_at(*latency, "p50");
    p.latency_p90_ms = number_at(*latency, "p90");
    p.latency_p99_ms = number_at(*latency, "p99");
  }
  p.energy_per_1000_j = number_at(j, "energy_per_1000_j");
  p.energy_method = text_at(j, "energy_method");
  p.gemm_gops = number_at(j, "gemm_gops");
  p.gemm_reference_gops = number_at(j, "gemm_reference_gops");
  p.gemm_efficiency = number_at(j, "gemm_efficiency");
  p.gemm_time_share = number_at(j, "gemm_time_share");
  p.gemm_implementation = text_at(j, "gemm_implementation");
  p.attention = text_at(j, "attention");
  p.activations = text_at(j, "activations");
  for (const auto& [key, value] : j.items())
    if (!listed(key, kPointKeys)) p.others[key] = value;
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
