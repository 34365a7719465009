// `greenbert serve` (greenbert-serve: cli/serve_command.h): a model directory behind HTTP
// (serve/service.h): POST /v1/classify, the web page at /, /v1/model, /health/live,
// /health/ready, /metrics, /openapi.json.
#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/energy_options.h"
#include "cli/precision_option.h"
#include "cli/run_config.h"
#include "cli/serve_command.h"
#include "core/stop_signals.h"
#include "serve/service.h"

namespace greenbert::cli {

namespace {

struct ServeArgs {
  ServeOptions serve;
  std::string text;
};

void run(ServeArgs& a) {
  // Before any thread starts (core/stop_signals.h says why).
  const StopSignals stop(
      "\ngreenbert serve: draining: new requests get 503, admitted ones finish (again to quit "
      "at once)\n");
  a.serve.model_options.text = parse_text_input(a.text);
  Service service(a.serve);
  std::fprintf(stderr, "greenbert serve: listening on http://%s:%d/ (loading %s)\n",
               a.serve.host.c_str(), service.port(), a.serve.model.c_str());
  service.load();
  const ServeModelInfo& m = service.model_info();
  std::fprintf(stderr,
               "greenbert serve: ready: %s (%s, %zu labels, %s, inputs: %s, up to %lld tokens)\n",
               m.name.c_str(), m.precision.c_str(), m.config->labels.size(),
               output_activation_name(m.activation), std::string(text_input_name(m.text)).c_str(),
               static_cast<long long>(m.max_length));
  service.serve_until_drained(&stop.flag());
  std::fprintf(stderr, "greenbert serve: drained; every admitted request was answered\n");
}

}  // namespace

void add_serve_options(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  ServeOptions& o = args->serve;
  app.add_option("--model", o.model, "Model directory (a training run, quantized, or HF)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--host", o.host, "Address to listen on (0.0.0.0: every interface)")
      ->capture_default_str();
  app.add_option("--port", o.port, "Port (0: any free port, printed at start)")
      ->capture_default_str();
  app.add_option("--threads", o.model_options.threads, "Inference threads (0: physical cores)")
      ->capture_default_str();
  add_precision_option(app, o.model_options.precision);
  add_input_encoding_options(app, o.model_options.max_length, args->text);
  app.add_option("--max-batch-tokens", o.max_batch_tokens, "Most tokens in one inference batch")
      ->capture_default_str();
  app.add_option("--max-batch-requests", o.max_batch_requests,
                 "Most texts in one inference batch, and in one request")
      ->capture_default_str();
  app.add_option("--max-wait-ms", o.max_wait_ms,
                 "How long a batch that is not full waits for more requests (0: run what is "
                 "queued at once; requests that arrive meanwhile form the next batch)")
      ->capture_default_str();
  app.add_option("--max-concurrent", o.max_concurrent,
                 "Classify requests admitted at once; more get 429 at once")
      ->capture_default_str();
  app.add_option("--payload-limit", o.payload_limit, "Largest request body in bytes (413 above)")
      ->capture_default_str();
  app.add_option("--api-key", o.api_key,
                 "Require \"Authorization: Bearer KEY\" on /v1/* and /metrics (401 otherwise)")
      ->envname("GREENBERT_API_KEY");
  app.add_option("--timeout", o.timeout_seconds,
                 "Seconds from a request's arrival to its answer before 504")
      ->capture_default_str();
  app.add_flag("--log-requests", o.log_requests,
               "One line per request on stderr: method, path, status, inputs, tokens, ms");
  add_energy_options(app, o.energy);
  app.callback([args] { run(*args); });
}

}  // namespace greenbert::cli
