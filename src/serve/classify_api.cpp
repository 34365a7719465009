#include "serve/classify_api.h"

#include <charconv>
#include <cmath>

#include "core/json_document.h"
#include "data/arxiv_categories.h"
#include "data/ascii_space.h"
#include "infer/label_decisions.h"

namespace greenbert {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const char* error_type(int status) {
  switch (status) {
    case 400:
      return "malformed_json";
    case 401:
      return "unauthorized";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 422:
      return "invalid_input";
    case 429:
      return "overloaded";
    case 503:
      return "unavailable";
    case 504:
      return "timeout";
    default:
      return status >= 500 ? "internal" : "bad_request";
  }
}

[[noreturn]] void invalid(const std::string& message) {
  throw ApiError(422, message);
}

std::string text_field(const json& value, const std::string& where) {
  if (!value.is_string()) invalid(cat(where, " must be a string"));
  return std::string(trim_ascii_space(value.get_ref<const std::string&>()));
}

Example input_text(const json& value, const std::string& where) {
  Example text;
  if (value.is_string()) {
    text.abstract = text_field(value, where);
  } else if (value.is_object()) {
    for (const auto& [key, field] : value.items()) {
      if (key == "title")
        text.title = text_field(field, cat(where, ".title"));
      else if (key == "abstract" || key == "text")
        text.abstract = text_field(field, cat(where, ".", key));
      else
        invalid(cat(where, ": unknown field \"", key, "\" (expected title, abstract)"));
    }
    if (!value.contains("abstract") && !value.contains("text"))
      invalid(cat(where, ": needs \"abstract\" (and optionally \"title\")"));
  } else {
    invalid(cat(where, " must be a string or an object {\"title\", \"abstract\"}"));
  }
  if (text.abstract.empty()) invalid(cat(where, ": the text is empty"));
  return text;
}

// Milliseconds to the microsecond, printed as such (1.277, not 1.2770000000000001).
double to_microsecond(double ms) {
  return std::round(ms * 1e3) / 1e3;
}

}  // namespace

std::string error_body(int status, std::string_view message) {
  // A message may quote the client's bytes, which need not be UTF-8.
  return ordered_json{
      {"error", {{"status", status}, {"type", error_type(status)}, {"message", message}}}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ClassifyRequest parse_classify_request(std::string_view body, int64_t max_inputs) {
  json document;
  try {
    document = parse_json(body, "the body");
  } catch (const Error& e) {
    throw ApiError(400, e.what());
  }
  if (!document.is_object()) invalid("the body must be a JSON object with \"inputs\"");
  ClassifyRequest request;
  for (const auto& [key, value] : document.items()) {
    if (key == "inputs") {
      if (value.is_array()) {
        if (value.empty()) invalid("inputs is an empty list");
        if (static_cast<int64_t>(value.size()) > max_inputs)
          invalid(cat("inputs has ", value.size(), " texts, more than the ", max_inputs,
                      " one request may carry (--max-batch-requests)"));
        for (size_t i = 0; i < value.size(); ++i)
          request.texts.push_back(input_text(value[i], cat("inputs[", i, "]")));
      } else {
        request.texts.push_back(input_text(value, "inputs"));
      }
    } else if (key == "top_k") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0)
        invalid("top_k must be an integer >= 0");
      request.top_k = value.get<int64_t>();
    } else if (key == "threshold") {
      if (!value.is_number() || !(value.get<double>() >= 0 && value.get<double>() <= 1))
        invalid("threshold must be a number in [0, 1]");
      request.threshold = value.get<float>();
    } else if (key == "return_logits") {
      if (!value.is_boolean()) invalid("return_logits must be true or false");
      request.return_logits = value.get<bool>();
    } else {
      invalid(
          cat("unknown field \"", key, "\" (expected inputs, top_k, threshold, return_logits)"));
    }
  }
  if (request.texts.empty()) invalid("the body needs \"inputs\": a text, an object or a list");
  return request;
}

double shortest(float value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  double result = 0;
  std::from_chars(buffer, end, result);
  return result;
}

ordered_json label_json(const std::string& label) {
  const auto name = arxiv_category_name(label);
  return {{"label", label}, {"name", name ? json(std::string(*name)) : json(nullptr)}};
}

ordered_json classify_response(const ServeModelInfo& model, const ClassifyRequest& request,
                               std::span<const float> logits, std::span<const float> probabilities,
                               std::span<const int64_t> tokens, const ClassifyTiming& timing,
                               const RequestEnergy& energy) {
  const std::vector<std::string>& names = model.config->labels;
  const size_t labels = names.size();
  const std::vector<float> thresholds =
      request.threshold ? std::vector<float>(labels, *request.threshold) : model.thresholds;
  ordered_json results = ordered_json::array();
  for (size_t i = 0; i < request.texts.size(); ++i) {
    const auto p = probabilities.subspan(i * labels, labels);
    ordered_json result;
    result["labels"] = ordered_json::array();
    for (int64_t l : labels_at_threshold(p, thresholds))
      result["labels"].push_back(names[static_cast<size_t>(l)]);
    result["scores"] = ordered_json::array();
    for (int64_t l : most_probable_labels(p, request.top_k)) {
      ordered_json score = label_json(names[static_cast<size_t>(l)]);
      score["probability"] = shortest(p[static_cast<size_t>(l)]);
      score["threshold"] = shortest(thresholds[static_cast<size_t>(l)]);
      result["scores"].push_back(std::move(score));
    }
    if (request.return_logits) {
      result["logits"] = ordered_json::array();
      for (float logit : logits.subspan(i * labels, labels))
        result["logits"].push_back(shortest(logit));
    }
    result["tokens"] = tokens[i];
    results.push_back(std::move(result));
  }
  ordered_json out;
  out["model"] = model.name;
  out["precision"] = model.precision;
  out["activation"] = output_activation_name(model.activation);
  out["results"] = std::move(results);
  out["timing"] = {{"queue_ms", to_microsecond(timing.queue_ms)},
                   {"inference_ms", to_microsecond(timing.inference_ms)},
                   {"total_ms", to_microsecond(timing.total_ms)},
                   {"batch_sequences", timing.batch_sequences},
                   {"batch_tokens", timing.batch_tokens}};
  out["energy"] = {
      {"joules", energy.joules ? json(*energy.joules) : json(nullptr)},
      {"g_co2eq", energy.joules ? json(*energy.joules * energy.g_co2eq_per_joule) : json(nullptr)},
      {"method", energy.measured ? "measured" : "estimated"},
      {"source", energy.source}};
  return out;
}

}  // namespace greenbert
