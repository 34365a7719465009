#pragma once
// The JSON of `POST /v1/classify`, in and out.
//
// In:  {"inputs": "text" | {"title": "...", "abstract": "..."} | [either, ...],
//       "top_k": 5, "threshold": 0.4, "return_logits": false}
//      ("text" is accepted for "abstract"; top_k, threshold and return_logits are optional)
// Out: {"model": ..., "precision": ..., "activation": "sigmoid",
//       "results": [{"labels": ["cs.LG", ...],               // at or above their threshold
//                    "scores": [{"label": "cs.LG", "name": "Machine Learning",
//                                "probability": 0.91, "threshold": 0.35}, ...],  // top_k
//                    "logits": [...],                         // with return_logits
//                    "tokens": 87}],
//       "timing": {"queue_ms", "inference_ms", "total_ms", "batch_sequences", "batch_tokens"},
//       "energy": {"joules", "g_co2eq", "method": "measured" | "estimated", "source"}}
// Errors: {"error": {"status": 422, "type": "invalid_input", "message": "inputs[1]: ..."}}
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/dataset.h"
#include "serve/serve_model.h"

namespace greenbert {

// A request the service refuses, with the HTTP status that says why.
struct ApiError : Error {
  ApiError(int status, const std::string& message) : Error(message), status(status) {}
  int status;
};

// {"error": {"status", "type", "message"}}, the body of every error answer.
std::string error_body(int status, std::string_view message);

struct ClassifyRequest {
  std::vector<Example> texts;  // title (may be empty) and abstract
  int64_t top_k = 5;
  std::optional<float> threshold;  // for every label, instead of the model's
  bool return_logits = false;
};

// Throws ApiError 400 when `body` is not JSON, 422 when it is not a valid request (naming the
// field and why), including more than `max_inputs` inputs.
ClassifyRequest parse_classify_request(std::string_view body, int64_t max_inputs);

struct ClassifyTiming {
  double queue_ms = 0, inference_ms = 0, total_ms = 0;
  int64_t batch_sequences = 0, batch_tokens = 0;
};

struct RequestEnergy {
  std::optional<double> joules;  // unset until the service has measured its power
  double g_co2eq_per_joule = 0;
  bool measured = false;
  std::string source;  // "rapl", "perf", "estimated"
};

// The answer for `request`: logits and probabilities (inputs, labels), the input's token counts.
nlohmann::ordered_json classify_response(const ServeModelInfo& model,
                                         const ClassifyRequest& request,
                                         std::span<const float> logits,
                                         std::span<const float> probabilities,
                                         std::span<const int64_t> tokens,
                                         const ClassifyTiming& timing, const RequestEnergy& energy);

// A float as the double nearest its shortest decimal, for JSON (0.3f shows 0.3, not
// 0.30000001192092896).
double shortest(float value);

// {"label", "name"} of a label: name is its arXiv category's, or null.
nlohmann::ordered_json label_json(const std::string& label);

}  // namespace greenbert
