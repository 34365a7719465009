#include "report/bench_records.h"

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"

namespace greenbert {
namespace {

std::optional<double> number_at(const nlohmann::json& j, const char* key) {
  auto found = j.find(key);
  if (found == j.end() || found->is_null()) return std::nullopt;
  if (!found->is_number()) fail("'", key, "' is not a number");
  return found->get<double>();
}

// A key is a backend when it holds a list of objects with a batch size.
bool is_backend(const nlohmann::json& value) {
  if (!value.is_array() || value.empty()) return false;
  for (const auto& point : value)
    if (!point.is_object() || !point.contains("batch_size")) return false;
  return true;
}

BenchPoint read_point(const nlohmann::json& j) {
  BenchPoint p;
  p.batch_size = j.at("batch_size").get<int>();
  if (p.batch_size <= 0) fail("batch_size ", p.batch_size, " is not positive");
  p.inference_time = j.at("inference_time").get<double>();
  p.emissions_kg = number_at(j, "emissions");
  p.memory_mb = number_at(j, "memory_usage_mb");
  p.throughput = number_at(j, "throughput_seq_per_s");
  if (auto latency = j.find("latency_ms"); latency != j.end() && latency->is_object())
    p.latency_p50_ms = number_at(*latency, "p50");
  p.energy_per_1000_j = number_at(j, "energy_per_1000_j");
  p.energy_method = j.value("energy_method", "");
  return p;
}

BenchRecord read_record(const nlohmann::json& j) {
  if (!j.is_object()) fail("not an object");
  BenchRecord r;
  r.model = j.at("model_name").get<std::string>();
  r.precision = parse_precision(j.at("precision").get<std::string>(), "precision");
  r.abstracts = j.value("abstracts", 20);
  r.model_size_mb = number_at(j, "model_size_mb");
  for (const auto& [key, value] : j.items()) {
    if (!is_backend(value)) continue;
    std::vector<BenchPoint> points;
    for (const auto& point : value) {
      try {
        points.push_back(read_point(point));
      } catch (const std::exception& e) {
        fail(key, ": ", e.what());
      }
    }
    r.backends.emplace_back(key, std::move(points));
  }
  r.json = j;
  return r;
}

}  // namespace

const std::vector<BenchPoint>* BenchRecord::backend(std::string_view name) const {
  for (const auto& [key, points] : backends)
    if (key == name) return &points;
  return nullptr;
}

std::vector<BenchRecord> read_bench_file(const std::filesystem::path& file) {
  nlohmann::ordered_json j = read_ordered_json_file(file);
  if (!j.is_array()) j = nlohmann::ordered_json::array({j});
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

const BenchPoint* point_at(const std::vector<BenchPoint>& points, int batch_size) {
  for (const auto& p : points)
    if (p.batch_size == batch_size) return &p;
  return nullptr;
}

}  // namespace greenbert
