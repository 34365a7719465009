#pragma once
// `greenbert serve`: a model behind HTTP. The service binds its address at once and answers
// 503 until the model is loaded; then POST /v1/classify requests are admitted (at most
// max_concurrent at a time, the rest get 429 at once), tokenized on their connection's thread,
// classified in shared batches (serve/batcher.h), and answered with labels, scores, timing and
// energy. drain() (SIGTERM) turns new requests away with 503 and lets admitted ones finish.
//
//   Service service(options);      // listening; 503 while starting
//   service.load();                // ready
//   service.serve_until_drained(&stop_requested);
//
// Routes: GET / (web page), POST /v1/classify, GET /v1/model, GET /health/live,
// GET /health/ready, GET /metrics (Prometheus), GET /openapi.json. With an API key, /v1/* and
// /metrics need "Authorization: Bearer KEY" (401 otherwise).
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "energy/energy_options.h"
#include "serve/http_server.h"
#include "serve/serve_metrics.h"
#include "serve/serve_model.h"

namespace greenbert {

class Batcher;
class InferenceEnergy;

struct ServeOptions {
  std::filesystem::path model;
  ServeModelOptions model_options;  // max_batch is set from max_batch_requests
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int64_t max_batch_tokens = 16384;
  int64_t max_batch_requests = 32;  // sequences per batch, and the most inputs per request
  double max_wait_ms = 0;           // how long a batch that is not full waits for more
  int64_t max_concurrent = 64;      // classify requests admitted at once; more get 429
  size_t payload_limit = 2u << 20;  // bytes of a request body; more get 413
  std::string api_key;              // empty: no authentication
  double timeout_seconds = 30;      // from a classify request's arrival to its answer; then 504
  bool log_requests = false;        // one line per request on stderr
  EnergyOptions energy;
  double calibration_seconds = 0.3;  // inference run at load to measure its power
};

// Throws greenbert::Error naming the option for values that make no sense.
void validate_serve_options(const ServeOptions& options);

class Service {
 public:
  // Binds host:port (throws Error when it cannot) and starts answering.
  explicit Service(ServeOptions options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  int port() const { return http_->port(); }
  // Opens the model, warms it up and measures its power; the service is ready afterwards.
  void load();
  // New classify requests get 503 from now on; thread-safe, idempotent.
  void drain();
  // Returns once drain() has been called (or *stop became true) and every admitted request has
  // been answered; the listener is closed then.
  void serve_until_drained(const std::atomic<bool>* stop = nullptr);

  const ServeMetrics& metrics() const { return metrics_; }
  const ServeModelInfo& model_info() const;  // after load()

 private:
  enum class State { starting, ready, draining };
  struct RequestFacts {  // for the request's log line
    int64_t inputs = 0, tokens = 0;
  };

  HttpResponse handle(const HttpRequest& request);
  HttpResponse route(const HttpRequest& request, std::string& route, RequestFacts& facts);
  HttpResponse classify(const HttpRequest& request, RequestFacts& facts);
  HttpResponse model_response() const;
  HttpResponse metrics_response() const;
  HttpResponse unavailable() const;
  bool authorized(const HttpRequest& request) const;
  void request_done();

  const ServeOptions options_;
  ServeMetrics metrics_;
  std::atomic<State> state_{State::starting};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> loaded_{false};  // model_, energy_, batcher_ are set (and stay)
  std::mutex drain_mutex_;
  std::condition_variable drained_;
  std::unique_ptr<ServeModel> model_;
  std::unique_ptr<InferenceEnergy> energy_;
  std::unique_ptr<Batcher> batcher_;
  std::unique_ptr<HttpServer> http_;
  std::thread http_thread_;
};

}  // namespace greenbert
