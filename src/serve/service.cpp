#include "serve/service.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>

#include "core/error.h"
#include "core/local_time.h"
#include "core/threads.h"
#include "serve/batcher.h"
#include "serve/classify_api.h"
#include "serve/inference_energy.h"
#include "serve/openapi.h"
#include "serve/web_page.h"

namespace greenbert {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

HttpResponse error_response(int status, std::string_view message) {
  return json_response(status, error_body(status, message));
}

// Compares in time independent of where the strings differ (an API key must not leak by timing).
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i)
    difference |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return difference == 0;
}

// The routes, for the log and the metrics' bounded "route" label; anything else is "other".
constexpr const char* kRoutes[] = {
    "/", "/v1/classify", "/v1/model", "/health/live", "/health/ready", "/metrics", "/openapi.json"};

// A text of about `tokens` words for warm-up and power calibration.
std::string warm_up_text(int64_t tokens) {
  std::string text;
  for (int64_t i = 0; i < tokens; ++i) text += i % 2 ? "model " : "the ";
  return text;
}

}  // namespace

void validate_serve_options(const ServeOptions& o) {
  if (o.port < 0 || o.port > 65535) fail("serve: --port must be in 0..65535, got ", o.port);
  if (o.max_batch_requests < 1) fail("serve: --max-batch-requests must be >= 1");
  if (o.max_batch_tokens < 1) fail("serve: --max-batch-tokens must be >= 1");
  if (!(o.max_wait_ms >= 0 && o.max_wait_ms <= 60'000))
    fail("serve: --max-wait-ms must be in [0, 60000]");
  if (o.max_concurrent < 1) fail("serve: --max-concurrent must be >= 1");
  if (o.payload_limit < 64) fail("serve: --payload-limit must be >= 64 bytes");
  if (!(o.timeout_seconds > 0)) fail("serve: --timeout must be > 0 seconds");
  validate_energy_options(o.energy);
}

Service::Service(ServeOptions options) : options_(std::move(options)) {
  validate_serve_options(options_);
  HttpServerOptions http;
  http.host = options_.host;
  http.port = options_.port;
  http.payload_limit = options_.payload_limit;
  // Every admitted request and every one to refuse at once needs a thread: 4x the admitted ones
  // (an overload of 4x is answered 429 at once), and some for health checks and metrics.
  http.max_connections = static_cast<size_t>(4 * options_.max_concurrent + 64);
  http.refused = [this](int status) {
    metrics_.count_request("other", status);
    return error_response(status, status == 413
                                      ? cat("the body is larger than the limit of ",
                                            options_.payload_limit, " bytes (--payload-limit)")
                                  : status >= 500 ? "internal error"
                                                  : "the request could not be read");
  };
  http_ = std::make_unique<HttpServer>(std::move(http),
                                       [this](const HttpRequest& r) { return handle(r); });
  http_thread_ = std::thread([this] { http_->run(); });
}

Service::~Service() {
  drain();
  http_->stop();
  if (http_thread_.joinable()) http_thread_.join();
  if (batcher_) batcher_->stop();
}

const ServeModelInfo& Service::model_info() const {
  if (!model_) fail("serve: the model is not loaded yet");
  return model_->info();
}

void Service::load() {
  ServeModelOptions model_options = options_.model_options;
  model_options.max_batch = options_.max_batch_requests;
  auto model = std::make_unique<ServeModel>(ServeModel::open(options_.model, model_options));
  const ServeModelInfo& info = model->info();
  if (options_.max_batch_tokens < info.max_length)
    fail("serve: --max-batch-tokens ", options_.max_batch_tokens, " is less than the model's ",
         info.max_length, "-token inputs (--max-length): a long text could never be classified");
  auto energy = std::make_unique<InferenceEnergy>(options_.energy);

  // Warm-up (oneDNN builds its kernels on first use), timed for the power of inference.
  const int64_t sequences = std::min<int64_t>(info.max_batch, 16);
  const std::vector<Example> texts(
      static_cast<size_t>(sequences),
      Example{"", warm_up_text(std::min<int64_t>(128, info.max_length)), {}, {}});
  const EncodedExamples encoded = model->encode(texts);
  TokenBatch batch;
  for (int64_t i = 0; i < encoded.size(); ++i)
    batch.add_sequence(encoded.example_ids(i), encoded.example_types(i));
  std::vector<float> logits(static_cast<size_t>(sequences * info.config->num_labels()));
  energy->calibrate([&] { model->run(batch, logits); }, options_.calibration_seconds);

  BatchLimits limits;
  limits.max_sequences = options_.max_batch_requests;
  limits.max_tokens = std::min(options_.max_batch_tokens, info.max_batch * info.max_length);
  limits.max_wait = std::chrono::microseconds(static_cast<int64_t>(options_.max_wait_ms * 1000));
  ServeModel* run_model = model.get();
  batcher_ = std::make_unique<Batcher>(
      [run_model](const TokenBatch& b, std::span<float> l) { run_model->run(b, l); },
      info.config->num_labels(), limits, metrics_, energy.get());
  model_ = std::move(model);
  energy_ = std::move(energy);
  loaded_ = true;
  State starting = State::starting;
  state_.compare_exchange_strong(starting, State::ready);  // not if drain() came first
}

void Service::drain() {
  {
    std::lock_guard lock(drain_mutex_);
    state_ = State::draining;
  }
  drained_.notify_all();
}

void Service::request_done() {
  if (in_flight_.fetch_sub(1) == 1) {
    std::lock_guard lock(drain_mutex_);  // a drain waiting between its check and its wait
    drained_.notify_all();
  }
}

void Service::serve_until_drained(const std::atomic<bool>* stop) {
  {
    std::unique_lock lock(drain_mutex_);
    for (;;) {
      if (stop && stop->load() && state_ != State::draining) state_ = State::draining;
      if (state_ == State::draining && in_flight_ == 0) break;
      // A signal sets *stop without notifying: look again every 50 ms.
      drained_.wait_for(lock, std::chrono::milliseconds(50));
    }
  }
  if (batcher_) batcher_->stop();
  http_->stop();
  if (http_thread_.joinable()) http_thread_.join();
}

bool Service::authorized(const HttpRequest& request) const {
  return options_.api_key.empty() ||
         same_secret(request.header("Authorization"), "Bearer " + options_.api_key);
}

HttpResponse Service::unavailable() const {
  HttpResponse response = error_response(503, state_ == State::starting
                                                  ? "the model is still loading; try again shortly"
                                                  : "the service is shutting down");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

HttpResponse Service::handle(const HttpRequest& request) {
  const auto start = Clock::now();
  std::string route = "other";
  RequestFacts facts;
  HttpResponse response = this->route(request, route, facts);
  if (state_ == State::draining) response.headers.emplace_back("Connection", "close");
  metrics_.count_request(route, response.status);
  if (options_.log_requests) {
    const std::string line =
        cat(local_time_text(), " ", request.method, " ", request.path, " ", response.status,
            " inputs=", facts.inputs, " tokens=", facts.tokens, " ",
            ms_between(start, Clock::now()), "ms\n");
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  return response;
}

HttpResponse Service::route(const HttpRequest& request, std::string& route, RequestFacts& facts) {
  const auto known = std::find(std::begin(kRoutes), std::end(kRoutes), request.path);
  if (known == std::end(kRoutes)) return error_response(404, cat("no route ", request.path));
  route = *known;
  const bool post = route == "/v1/classify";
  if (request.method != (post ? "POST" : "GET")) {
    HttpResponse response =
        error_response(405, cat(route, " takes ", post ? "POST" : "GET", ", not ", request.method));
    response.headers.emplace_back("Allow", post ? "POST" : "GET, HEAD");
    return response;
  }
  if (route == "/") {
    HttpResponse page;
    page.content_type = "text/html; charset=utf-8";
    page.body = web_page();
    return page;
  }
  if (route == "/openapi.json") return json_response(200, openapi_document());
  if (route == "/health/live") return json_response(200, R"({"status":"live"})");
  if (route == "/health/ready")
    return state_ == State::ready ? json_response(200, R"({"status":"ready"})") : unavailable();
  if (!authorized(request)) {
    HttpResponse response =
        error_response(401, "missing or wrong API key (Authorization: Bearer KEY)");
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  if (route == "/metrics") return metrics_response();
  if (!loaded_) return unavailable();
  if (route == "/v1/model") return model_response();
  return classify(request, facts);
}

HttpResponse Service::classify(const HttpRequest& request, RequestFacts& facts) {
  const auto arrival = Clock::now();
  // Counted before the state is checked: drain() sees either this request or its 503.
  if (in_flight_.fetch_add(1) >= options_.max_concurrent) {
    request_done();
    return error_response(429, cat("more than ", options_.max_concurrent,
                                   " requests at once (--max-concurrent); try again shortly"));
  }
  struct Done {
    Service* service;
    ~Done() { service->request_done(); }
  } done{this};
  if (state_ != State::ready) return unavailable();
  try {
    const ClassifyRequest parsed =
        parse_classify_request(request.body, options_.max_batch_requests);
    facts.inputs = static_cast<int64_t>(parsed.texts.size());
    // encode_inputs parallelizes with OpenMP; on a connection thread it must not start a team.
    static thread_local const int single_thread = set_thread_count(1);
    (void)single_thread;
    EncodedExamples encoded = model_->encode(parsed.texts);
    facts.tokens = encoded.tokens();
    std::vector<int64_t> tokens = encoded.lengths();
    if (!batcher_->fits(encoded))
      throw ApiError(422, cat("the inputs make ", encoded.tokens(), " tokens, more than the ",
                              std::min(options_.max_batch_tokens,
                                       model_->info().max_batch * model_->info().max_length),
                              " one batch takes (--max-batch-tokens)"));
    const auto job = batcher_->submit(std::move(encoded));
    const auto deadline =
        arrival + std::chrono::microseconds(static_cast<int64_t>(options_.timeout_seconds * 1e6));
    if (!batcher_->wait(*job, deadline))
      return error_response(504,
                            cat("no answer within ", options_.timeout_seconds, " s (--timeout)"));
    if (!job->error.empty()) return error_response(500, cat("inference failed: ", job->error));
    const auto answered = Clock::now();
    ClassifyTiming timing;
    timing.queue_ms = job->queue_seconds * 1e3;
    timing.inference_ms = job->inference_seconds * 1e3;
    timing.total_ms = ms_between(arrival, answered);
    timing.batch_sequences = job->batch_sequences;
    timing.batch_tokens = job->batch_tokens;
    RequestEnergy energy;
    energy.joules = job->joules;
    energy.g_co2eq_per_joule = energy_->g_co2eq_per_joule();
    energy.measured = energy_->measured();
    energy.source = std::string(energy_method_name(energy_->method()));
    const std::vector<float> probabilities = model_->probabilities(job->logits);
    std::string body = classify_response(model_->info(), parsed, job->logits, probabilities, tokens,
                                         timing, energy)
                           .dump();
    metrics_.observe_classify(job->queue_seconds, job->inference_seconds, timing.total_ms / 1e3);
    if (job->joules) metrics_.observe_request_energy(*job->joules);
    return json_response(200, std::move(body));
  } catch (const ApiError& e) {
    return error_response(e.status, e.what());
  } catch (const Error& e) {
    return error_response(422, e.what());
  }
}

HttpResponse Service::model_response() const {
  const ServeModelInfo& m = model_->info();
  const BertConfig& config = *m.config;
  nlohmann::ordered_json labels = nlohmann::ordered_json::array();
  for (size_t l = 0; l < config.labels.size(); ++l) {
    nlohmann::ordered_json label = label_json(config.labels[l]);
    label["id"] = l;
    label["threshold"] = shortest(m.thresholds[l]);
    labels.push_back(std::move(label));
  }
  nlohmann::ordered_json out;
  out["name"] = m.name;
  out["model_type"] = model_type_name(config.model_type);
  out["precision"] = m.precision;
  out["problem_type"] =
      config.problem_type.empty() ? nlohmann::json(nullptr) : nlohmann::json(config.problem_type);
  out["activation"] = output_activation_name(m.activation);
  out["text"] = text_input_name(m.text);
  out["max_length"] = m.max_length;
  out["parameters"] = m.parameters;
  out["config"] = {{"hidden_size", config.hidden_size},
                   {"num_hidden_layers", config.num_layers},
                   {"num_attention_heads", config.num_heads},
                   {"vocab_size", config.vocab_size}};
  out["thresholds"] = {{"global", shortest(m.global_threshold)},
                       {"per_label", m.per_label_thresholds}};
  out["labels"] = std::move(labels);
  out["limits"] = {{"max_batch_tokens", options_.max_batch_tokens},
                   {"max_batch_requests", options_.max_batch_requests},
                   {"max_wait_ms", options_.max_wait_ms},
                   {"max_concurrent", options_.max_concurrent},
                   {"payload_limit", options_.payload_limit},
                   {"timeout_seconds", options_.timeout_seconds}};
  out["energy"] = {{"method", energy_->measured() ? "measured" : "estimated"},
                   {"source", energy_method_name(energy_->method())},
                   {"inference_watts", energy_->watts()}};
  return json_response(200, out.dump());
}

HttpResponse Service::metrics_response() const {
  MetricsGauges g;
  g.in_flight = in_flight_;
  g.ready = state_ == State::ready;
  if (loaded_) {
    const ServeModelInfo& m = model_->info();
    g.queue_size = batcher_->queue_size();
    g.model = m.name;
    g.precision = m.precision;
    g.activation = output_activation_name(m.activation);
    g.energy_method = std::string(energy_method_name(energy_->method()));
    g.energy_measured = energy_->measured();
    g.inference_joules = energy_->total_joules();
    g.inference_watts = energy_->watts();
    g.predictions = static_cast<int64_t>(metrics_.batch_sizes().sum());
    g.classified_requests = static_cast<int64_t>(metrics_.requests("/v1/classify", 200));
  }
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.exposition(g);
  return response;
}

}  // namespace greenbert
