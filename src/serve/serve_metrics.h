#pragma once
// What `GET /metrics` reports, in Prometheus' text exposition format (version 0.0.4): counters
// and histograms recorded as requests and batches go by, and gauges read at scrape time.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace greenbert {

// Cumulative buckets with fixed upper bounds (+Inf implied), a sum and a count. Thread-safe.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);
  // `name`_bucket / _sum / _count lines; `labels` ("method=\"rapl\"") is added to each.
  void write(std::string& out, std::string_view name, std::string_view labels = {}) const;
  double sum() const;
  uint64_t count() const;

 private:
  mutable std::mutex mutex_;
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last: above every bound
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Values owned elsewhere (batcher, admission, energy), read when /metrics is scraped.
struct MetricsGauges {
  int64_t queue_size = 0;  // requests waiting for a batch
  int64_t in_flight = 0;   // classify requests admitted and not answered yet
  bool ready = false;
  std::string model;
  std::string precision;
  std::string activation;
  std::string energy_method;  // "rapl", "perf" or "estimated"
  bool energy_measured = false;
  double inference_joules = 0;      // charged to inference so far
  double inference_watts = 0;       // power while inference runs (0: not measured yet)
  int64_t predictions = 0;          // sequences classified
  int64_t classified_requests = 0;  // classify requests answered 200
};

class ServeMetrics {
 public:
  ServeMetrics();
  // One answered request; `route` is a known path or "other" (bounded label values).
  void count_request(std::string_view route, int status);
  // A classify request answered 200: its time waiting for a batch, in inference, in all.
  void observe_classify(double queue_seconds, double inference_seconds, double total_seconds);
  void observe_batch(int64_t sequences, int64_t tokens, double seconds);
  void observe_request_energy(double joules);
  // Requests answered with `status` on `route` so far.
  uint64_t requests(std::string_view route, int status) const;
  const Histogram& batch_sizes() const { return batch_size_; }

  std::string exposition(const MetricsGauges& gauges) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  Histogram queue_seconds_, inference_seconds_, request_seconds_;
  Histogram batch_size_, batch_tokens_, batch_seconds_;
  Histogram request_joules_;
};

}  // namespace greenbert
