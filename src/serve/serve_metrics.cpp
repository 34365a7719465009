#include "serve/serve_metrics.h"

#include <algorithm>
#include <charconv>

#include "core/error.h"

namespace greenbert {
namespace {

// Prometheus' float format: shortest round-trip decimal, +Inf for infinity.
std::string number(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

std::string with_label(std::string_view labels, std::string_view extra) {
  if (labels.empty()) return cat("{", extra, "}");
  if (extra.empty()) return cat("{", labels, "}");
  return cat("{", labels, ",", extra, "}");
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += cat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out +=
      cat(name, labels.empty() ? std::string() : with_label(labels, ""), " ", number(value), "\n");
}

std::vector<double> seconds_buckets() {
  return {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30};
}

std::vector<double> powers_of_two(double from, double to) {
  std::vector<double> bounds;
  for (double b = from; b <= to; b *= 2) bounds.push_back(b);
  return bounds;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  const auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  std::lock_guard lock(mutex_);
  ++counts_[static_cast<size_t>(bucket)];
  sum_ += value;
  ++count_;
}

void Histogram::write(std::string& out, std::string_view name, std::string_view labels) const {
  std::lock_guard lock(mutex_);
  uint64_t cumulative = 0;
  for (size_t b = 0; b <= bounds_.size(); ++b) {
    cumulative += counts_[b];
    const std::string le = b < bounds_.size() ? number(bounds_[b]) : "+Inf";
    out += cat(name, "_bucket", with_label(labels, cat("le=\"", le, "\"")), " ", cumulative, "\n");
  }
  sample(out, cat(name, "_sum"), labels, sum_);
  sample(out, cat(name, "_count"), labels, static_cast<double>(count_));
}

double Histogram::sum() const {
  std::lock_guard lock(mutex_);
  return sum_;
}

uint64_t Histogram::count() const {
  std::lock_guard lock(mutex_);
  return count_;
}

ServeMetrics::ServeMetrics()
    : queue_seconds_(seconds_buckets()),
      inference_seconds_(seconds_buckets()),
      request_seconds_(seconds_buckets()),
      batch_size_(powers_of_two(1, 512)),
      batch_tokens_(powers_of_two(16, 65536)),
      batch_seconds_(seconds_buckets()),
      request_joules_(
          {1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1, 2, 5, 10}) {}

void ServeMetrics::count_request(std::string_view route, int status) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), status}];
}

uint64_t ServeMetrics::requests(std::string_view route, int status) const {
  std::lock_guard lock(mutex_);
  const auto at = requests_.find({std::string(route), status});
  return at == requests_.end() ? 0 : at->second;
}

void ServeMetrics::observe_classify(double queue_seconds, double inference_seconds,
                                    double total_seconds) {
  queue_seconds_.observe(queue_seconds);
  inference_seconds_.observe(inference_seconds);
  request_seconds_.observe(total_seconds);
}

void ServeMetrics::observe_batch(int64_t sequences, int64_t tokens, double seconds) {
  batch_size_.observe(static_cast<double>(sequences));
  batch_tokens_.observe(static_cast<double>(tokens));
  batch_seconds_.observe(seconds);
}

void ServeMetrics::observe_request_energy(double joules) {
  request_joules_.observe(joules);
}

std::string ServeMetrics::exposition(const MetricsGauges& g) const {
  std::string out;
  header(out, "greenbert_requests_total", "counter", "HTTP requests answered, by route and status");
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, count] : requests_)
      sample(out, "greenbert_requests_total",
             cat("route=\"", key.first, "\",status=\"", key.second, "\""),
             static_cast<double>(count));
  }
  header(out, "greenbert_ready", "gauge",
         "1 when the model is loaded and the service not draining");
  sample(out, "greenbert_ready", "", g.ready ? 1 : 0);
  header(out, "greenbert_model_info", "gauge", "The model served (value 1)");
  sample(out, "greenbert_model_info",
         cat("model=\"", g.model, "\",precision=\"", g.precision, "\",activation=\"", g.activation,
             "\""),
         1);
  header(out, "greenbert_requests_in_flight", "gauge",
         "Classify requests admitted and not yet answered (--max-concurrent bounds it)");
  sample(out, "greenbert_requests_in_flight", "", static_cast<double>(g.in_flight));
  header(out, "greenbert_queue_size", "gauge", "Classify requests waiting for a batch");
  sample(out, "greenbert_queue_size", "", static_cast<double>(g.queue_size));

  header(out, "greenbert_batch_size", "histogram", "Sequences per inference batch");
  batch_size_.write(out, "greenbert_batch_size");
  header(out, "greenbert_batch_tokens", "histogram", "Tokens per inference batch");
  batch_tokens_.write(out, "greenbert_batch_tokens");
  header(out, "greenbert_batch_duration_seconds", "histogram", "Inference time per batch");
  batch_seconds_.write(out, "greenbert_batch_duration_seconds");
  header(out, "greenbert_request_queue_duration_seconds", "histogram",
         "Time a classify request waited for its batch");
  queue_seconds_.write(out, "greenbert_request_queue_duration_seconds");
  header(out, "greenbert_request_inference_duration_seconds", "histogram",
         "Inference time of the batch that classified the request");
  inference_seconds_.write(out, "greenbert_request_inference_duration_seconds");
  header(out, "greenbert_request_duration_seconds", "histogram",
         "Time from a classify request's arrival (body read) to its answer");
  request_seconds_.write(out, "greenbert_request_duration_seconds");

  header(out, "greenbert_predictions_total", "counter", "Sequences classified");
  sample(out, "greenbert_predictions_total", "", static_cast<double>(g.predictions));
  // Energy: "method" says how it was obtained, as in emissions.csv's sidecar.
  const std::string energy = cat("method=\"", g.energy_measured ? "measured" : "estimated",
                                 "\",source=\"", g.energy_method, "\"");
  header(out, "greenbert_inference_energy_joules_total", "counter",
         "Energy charged to inference: batch time x the power measured while inference ran");
  sample(out, "greenbert_inference_energy_joules_total", energy, g.inference_joules);
  header(out, "greenbert_inference_power_watts", "gauge",
         "Power while inference runs (CPU + RAM, PUE applied); 0 until measured");
  sample(out, "greenbert_inference_power_watts", energy, g.inference_watts);
  header(out, "greenbert_inference_energy_per_request_joules", "gauge",
         "Inference energy per classify request answered 200, averaged since start");
  sample(out, "greenbert_inference_energy_per_request_joules", energy,
         g.classified_requests > 0 ? g.inference_joules / static_cast<double>(g.classified_requests)
                                   : 0.0);
  header(out, "greenbert_inference_energy_per_1000_predictions_joules", "gauge",
         "Inference energy per 1,000 sequences classified (bench's energy_per_1000_j)");
  sample(
      out, "greenbert_inference_energy_per_1000_predictions_joules", energy,
      g.predictions > 0 ? 1000.0 * g.inference_joules / static_cast<double>(g.predictions) : 0.0);
  header(out, "greenbert_request_energy_joules", "histogram",
         "Inference energy charged to each classify request (its share of its batch's tokens)");
  request_joules_.write(out, "greenbert_request_energy_joules", energy);
  return out;
}

}  // namespace greenbert
