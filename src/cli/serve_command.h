#pragma once
// `greenbert serve` runs as greenbert-serve, a companion executable (cli/companion.h says why);
// its options and work are in serve.cpp, its main in serve_main.cpp.
#include <CLI/CLI.hpp>

#include "cli/companion.h"

namespace greenbert::cli {

inline constexpr Companion kServe{
    "serve", "greenbert-serve",
    "Serve a model directory over HTTP: POST /v1/classify (a sigmoid per label for multi-label "
    "models, a softmax for single-label ones, as config.json's problem_type says; the model's "
    "tuned thresholds), a web page at /, /v1/model, /health/live, /health/ready, "
    "/metrics (Prometheus, with energy per request), /openapi.json. SIGTERM or Ctrl-C "
    "drains: new requests get 503, admitted ones finish, exit 0"};

// greenbert-serve's command line on `app`: the serve options, and the service as its callback.
void add_serve_options(CLI::App& app);

}  // namespace greenbert::cli
