// `greenbert serve`'s service over real HTTP on 127.0.0.1, started in-process on a free port:
// multi-label answers that agree with `greenbert predict`, every error status, admission,
// timeouts, draining, requests sharing a batch, /metrics, the page and the OpenAPI document.
#include <gtest/gtest.h>

#include <cmath>
#include <future>
#include <regex>
#include <sstream>

#include "http_client.h"
#include "serve_support.h"

namespace greenbert {
namespace {

using nlohmann::json;
using testing::http_request;
using testing::HttpAnswer;

json parsed(const HttpAnswer& answer) {
  return json::parse(answer.body);
}

HttpAnswer classify(int port, const json& body, const std::vector<std::string>& headers = {}) {
  return http_request(port, "POST", "/v1/classify", body.dump(), headers);
}

// The value of the sample `name` (with its labels, exactly as written) in a /metrics text.
double metric(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  ADD_FAILURE() << name << " not in /metrics:\n" << text;
  return -1;
}

std::string metrics_text(int port) {
  const HttpAnswer answer = http_request(port, "GET", "/metrics");
  EXPECT_EQ(answer.status, 200);
  return answer.body;
}

// Waits (bounded) until the service has admitted `n` classify requests.
void wait_for_in_flight(int port, int n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (metric(metrics_text(port), "greenbert_requests_in_flight") != n) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "never " << n << " in flight";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void expect_error(const HttpAnswer& answer, int status, const std::string& fragment) {
  EXPECT_EQ(answer.status, status) << answer.body;
  ASSERT_EQ(answer.header("Content-Type"), "application/json") << answer.body;
  const json body = parsed(answer);
  EXPECT_EQ(body["error"]["status"], status);
  EXPECT_NE(body["error"]["message"].get<std::string>().find(fragment), std::string::npos)
      << body.dump();
}

class ServeApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = testing::serve_model_dir("serve-api-model"); }
  // A batch that is not full waits up to `max_wait_ms` for company, up to `max_batch_requests`.
  static ServeOptions batching_options(double max_wait_ms, int64_t max_batch_requests) {
    ServeOptions options = testing::serve_options(model_);
    options.max_wait_ms = max_wait_ms;
    options.max_batch_requests = max_batch_requests;
    return options;
  }
  static std::filesystem::path model_;
};
std::filesystem::path ServeApi::model_;

TEST_F(ServeApi, AnswersAreMultiLabelAndAgreeWithPredict) {
  auto service = testing::loaded_service(testing::serve_options(model_));
  const int port = service->port();
  const std::vector<std::string> texts = {testing::synthetic_abstract("cs.CV"),
                                          testing::synthetic_abstract("quant-ph")};
  const HttpAnswer answer =
      classify(port, {{"inputs", texts}, {"top_k", 5}, {"return_logits", true}});
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json body = parsed(answer);
  EXPECT_EQ(body["activation"], "sigmoid");
  EXPECT_EQ(body["precision"], "fp32");

  const json model = parsed(http_request(port, "GET", "/v1/model"));
  ASSERT_EQ(model["labels"].size(), 5u);
  std::map<std::string, std::pair<size_t, double>> labels;  // label -> id, threshold
  for (const auto& l : model["labels"])
    labels[l["label"]] = {l["id"].get<size_t>(), l["threshold"].get<double>()};
  EXPECT_EQ(model["labels"][0]["threshold"], 0.0);
  EXPECT_EQ(model["labels"][1]["threshold"], 1.0);
  EXPECT_EQ(labels.at("cs.CL").first, 1u);
  EXPECT_EQ(model["labels"][1]["name"], "Computation and Language");
  EXPECT_EQ(model["thresholds"]["per_label"], true);

  auto predicted = testing::run_cli(cat("predict --model ", model_.string(), " --threads 1"),
                                    texts[0] + "\n" + texts[1] + "\n");
  ASSERT_EQ(predicted.exit_code, 0) << predicted.err;
  std::istringstream lines(predicted.out);
  ASSERT_EQ(body["results"].size(), 2u);
  for (const json& result : body["results"]) {
    std::string line;
    ASSERT_TRUE(std::getline(lines, line));
    const json cli = json::parse(line);
    EXPECT_EQ(result["labels"], cli["labels"]);
    ASSERT_EQ(result["scores"].size(), 5u);
    json expected_labels = json::array();
    double previous = 2;
    for (const json& score : result["scores"]) {
      const std::string label = score["label"];
      const auto [id, threshold] = labels.at(label);
      const double p = score["probability"];
      // A sigmoid per label, never a softmax over them.
      EXPECT_NEAR(p, 1 / (1 + std::exp(-result["logits"][id].get<double>())), 1e-6) << label;
      EXPECT_NEAR(p, cli["probabilities"][label].get<double>(), 1e-5) << label;
      EXPECT_EQ(score["threshold"].get<double>(), threshold);
      EXPECT_LE(p, previous);
      previous = p;
    }
    for (const json& label : model["labels"]) {  // in id order, as the answer lists them
      double p = -1;
      for (const json& score : result["scores"])
        if (score["label"] == label["label"]) p = score["probability"];
      if (p >= label["threshold"].get<double>()) expected_labels.push_back(label["label"]);
    }
    EXPECT_EQ(result["labels"], expected_labels);
    EXPECT_GT(result["tokens"].get<int>(), 6);
  }
  const json& timing = body["timing"];
  EXPECT_GE(timing["total_ms"].get<double>(), timing["inference_ms"].get<double>());
  EXPECT_EQ(timing["batch_sequences"], 2);
  const json& energy = body["energy"];
  ASSERT_TRUE(energy["joules"].is_number()) << energy.dump();
  EXPECT_GT(energy["joules"].get<double>(), 0);
  EXPECT_GT(energy["g_co2eq"].get<double>(), 0);
  EXPECT_TRUE(energy["method"] == "measured" || energy["method"] == "estimated");
}

TEST_F(ServeApi, TitlesCountOnlyForModelsTrainedOnThem) {
  const std::string abstract = testing::synthetic_abstract("cs.LG");
  const json inputs = {{{"title", "qubita qubitb"}, {"abstract", abstract}},
                       {{"title", "pixela pixelb"}, {"abstract", abstract}},
                       abstract,
                       {{"text", abstract}}};
  auto probabilities = [](const json& result) {
    std::map<std::string, double> p;
    for (const json& s : result["scores"]) p[s["label"]] = s["probability"];
    return p;
  };
  ServeOptions options = testing::serve_options(model_);
  options.model_options.text = TextInput::title_and_abstract;
  {
    auto service = testing::loaded_service(options);
    const HttpAnswer answer = classify(service->port(), {{"inputs", inputs}});
    ASSERT_EQ(answer.status, 200) << answer.body;
    const json results = parsed(answer)["results"];
    EXPECT_NE(probabilities(results[0]), probabilities(results[1]));
    EXPECT_GT(results[0]["tokens"].get<int>(), results[2]["tokens"].get<int>());
    EXPECT_EQ(probabilities(results[2]), probabilities(results[3]));
  }
  auto service = testing::loaded_service(testing::serve_options(model_));
  const HttpAnswer answer = classify(service->port(), {{"inputs", inputs}});
  ASSERT_EQ(answer.status, 200) << answer.body;
  const json results = parsed(answer)["results"];
  for (int i : {1, 2, 3}) {
    EXPECT_EQ(probabilities(results[0]), probabilities(results[i])) << i;
    EXPECT_EQ(results[0]["tokens"], results[i]["tokens"]);
  }
}

TEST_F(ServeApi, RequestThresholdAndTopK) {
  auto service = testing::loaded_service(testing::serve_options(model_));
  const std::string text = testing::synthetic_abstract("math.OC");
  const json all =
      parsed(classify(service->port(), {{"inputs", text}, {"threshold", 0}, {"top_k", 2}}));
  EXPECT_EQ(all["results"][0]["labels"].size(), 5u);
  EXPECT_EQ(all["results"][0]["scores"].size(), 2u);
  EXPECT_EQ(all["results"][0]["scores"][0]["threshold"], 0.0);
  const json none =
      parsed(classify(service->port(), {{"inputs", text}, {"threshold", 1}, {"top_k", 0}}));
  EXPECT_EQ(none["results"][0]["labels"], json::array());
  EXPECT_EQ(none["results"][0]["scores"], json::array());
  EXPECT_FALSE(none["results"][0].contains("logits"));
}

TEST_F(ServeApi, InvalidInputIs422AndMalformedJsonIs400) {
  ServeOptions options = testing::serve_options(model_);
  options.max_batch_requests = 4;
  auto service = testing::loaded_service(options);
  const int port = service->port();
  const std::vector<std::pair<json, std::string>> invalid = {
      {{{"inputs", ""}}, "inputs: the text is empty"},
      {{{"inputs", " \n "}}, "the text is empty"},
      {{{"inputs", json::array()}}, "empty list"},
      {{{"inputs", {1}}}, "inputs[0] must be a string or an object"},
      {{{"inputs", {"fine", {{"title", "no abstract"}}}}}, "inputs[1]: needs \"abstract\""},
      {{{"inputs", {{"abstract", 5}}}}, "inputs.abstract must be a string"},
      {{{"inputs", {{"abstract", "x"}, {"authors", "y"}}}}, "unknown field \"authors\""},
      {{{"inputs", {"a", "b", "c", "d", "e"}}}, "5 texts, more than the 4"},
      {{{"inputs", "x"}, {"top_k", -1}}, "top_k must be an integer >= 0"},
      {{{"inputs", "x"}, {"top_k", 1.5}}, "top_k"},
      {{{"inputs", "x"}, {"threshold", 1.5}}, "threshold must be a number in [0, 1]"},
      {{{"inputs", "x"}, {"threshold", "high"}}, "threshold"},
      {{{"inputs", "x"}, {"return_logits", "yes"}}, "return_logits must be true or false"},
      {{{"inputs", "x"}, {"topk", 3}}, "unknown field \"topk\""},
      {{{"input", "x"}}, "unknown field \"input\""},
      {json::object(), "needs \"inputs\""},
      {json::array({1, 2}), "must be a JSON object"},
  };
  for (const auto& [body, fragment] : invalid) {
    SCOPED_TRACE(body.dump());
    expect_error(classify(port, body), 422, fragment);
  }
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  for (const std::string& body : {std::string("{not json"), std::string(), deep}) {
    SCOPED_TRACE(body);
    expect_error(http_request(port, "POST", "/v1/classify", body), 400, "the body");
  }
  expect_error(http_request(port, "POST", "/v1/classify", "{\"inputs\": \"\xff\xfe\"}"), 400,
               "not valid JSON");
  // None of them disturbed the service.
  EXPECT_EQ(classify(port, {{"inputs", "still fine"}}).status, 200);
  const std::string metrics = metrics_text(port);
  EXPECT_EQ(metric(metrics, R"(greenbert_requests_total{route="/v1/classify",status="422"})"),
            invalid.size());
  EXPECT_EQ(metric(metrics, R"(greenbert_requests_total{route="/v1/classify",status="400"})"), 4);
}

TEST_F(ServeApi, BodyOverThePayloadLimitIs413) {
  ServeOptions options = testing::serve_options(model_);
  options.payload_limit = 1024;
  auto service = testing::loaded_service(options);
  const std::string big = json{{"inputs", std::string(5000, 'a')}}.dump();
  expect_error(http_request(service->port(), "POST", "/v1/classify", big), 413,
               "larger than the limit of 1024 bytes");
  EXPECT_EQ(classify(service->port(), {{"inputs", "small"}}).status, 200);
}

TEST_F(ServeApi, WithAnApiKeyOnlyTheRightKeyIsServed) {
  ServeOptions options = testing::serve_options(model_);
  options.api_key = "s3cret";
  auto service = testing::loaded_service(options);
  const int port = service->port();
  const json body = {{"inputs", "text"}};
  for (const std::vector<std::string>& headers : {std::vector<std::string>{},
                                                  {"Authorization: Bearer wrong"},
                                                  {"Authorization: s3cret"},
                                                  {"Authorization: Bearer s3cret2"}}) {
    const HttpAnswer answer = classify(port, body, headers);
    expect_error(answer, 401, "API key");
    EXPECT_EQ(answer.header("WWW-Authenticate"), "Bearer");
  }
  EXPECT_EQ(classify(port, body, {"Authorization: Bearer s3cret"}).status, 200);
  EXPECT_EQ(http_request(port, "GET", "/v1/model").status, 401);
  EXPECT_EQ(http_request(port, "GET", "/metrics").status, 401);
  EXPECT_EQ(http_request(port, "GET", "/metrics", "", {"Authorization: Bearer s3cret"}).status,
            200);
  for (const char* open : {"/", "/health/live", "/health/ready", "/openapi.json"})
    EXPECT_EQ(http_request(port, "GET", open).status, 200) << open;
}

TEST_F(ServeApi, UnknownRoutesAre404AndWrongMethods405) {
  auto service = testing::loaded_service(testing::serve_options(model_));
  const int port = service->port();
  expect_error(http_request(port, "GET", "/v2/classify"), 404, "no route /v2/classify");
  const HttpAnswer get = http_request(port, "GET", "/v1/classify");
  expect_error(get, 405, "/v1/classify takes POST, not GET");
  EXPECT_EQ(get.header("Allow"), "POST");
  expect_error(http_request(port, "DELETE", "/v1/model"), 405, "takes GET");
  EXPECT_EQ(http_request(port, "HEAD", "/health/live").status, 200);
}

TEST_F(ServeApi, StartingAndDrainingAre503AndAdmittedRequestsFinish) {
  // A lone request waits 4 s for company: still in flight.
  Service service(batching_options(4000, 8));
  const int port = service.port();
  EXPECT_EQ(http_request(port, "GET", "/health/live").status, 200);
  expect_error(http_request(port, "GET", "/health/ready"), 503, "still loading");
  expect_error(classify(port, {{"inputs", "early"}}), 503, "still loading");
  expect_error(http_request(port, "GET", "/v1/model"), 503, "still loading");
  EXPECT_EQ(metric(metrics_text(port), "greenbert_ready"), 0);
  service.load();
  EXPECT_EQ(http_request(port, "GET", "/health/ready").status, 200);
  EXPECT_EQ(metric(metrics_text(port), "greenbert_ready"), 1);

  auto admitted = std::async(std::launch::async, [&] {
    return classify(port, {{"inputs", "admitted"}});
  });
  wait_for_in_flight(port, 1);
  service.drain();
  auto drained = std::async(std::launch::async, [&] { service.serve_until_drained(); });
  const HttpAnswer refused = classify(port, {{"inputs", "too late"}});
  expect_error(refused, 503, "shutting down");
  EXPECT_EQ(refused.header("Retry-After"), "1");
  EXPECT_EQ(admitted.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  EXPECT_EQ(admitted.get().status, 200);
  EXPECT_EQ(drained.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(http_request(port, "GET", "/health/live").status, 0);  // closed
}

TEST_F(ServeApi, OverTheConcurrencyLimitIs429AtOnce) {
  ServeOptions options = batching_options(4000, 8);
  options.max_concurrent = 2;
  auto service = testing::loaded_service(options);
  const int port = service->port();
  std::vector<std::future<HttpAnswer>> admitted;
  for (int i = 0; i < 2; ++i)
    admitted.push_back(std::async(std::launch::async, [&] {
      return classify(port, {{"inputs", "in"}});
    }));
  wait_for_in_flight(port, 2);
  // Answered while both admitted requests still wait for their batch.
  expect_error(classify(port, {{"inputs", "one too many"}}), 429, "more than 2 requests at once");
  for (auto& a : admitted)
    EXPECT_EQ(a.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  for (auto& a : admitted) EXPECT_EQ(a.get().status, 200);
  EXPECT_EQ(metric(metrics_text(port), "greenbert_requests_in_flight"), 0);  // room again
}

TEST_F(ServeApi, PastTheTimeoutIs504) {
  ServeOptions options = batching_options(10000, 8);
  options.timeout_seconds = 0.3;
  auto service = testing::loaded_service(options);
  expect_error(classify(service->port(), {{"inputs", "slow"}}), 504, "--timeout");
  EXPECT_EQ(metric(metrics_text(service->port()),
                   R"(greenbert_requests_total{route="/v1/classify",status="504"})"),
            1);
}

TEST_F(ServeApi, ConcurrentRequestsShareOneBatch) {
  // The batch runs when full, long before 10 s.
  auto service = testing::loaded_service(batching_options(10000, 6));
  const int port = service->port();
  std::vector<std::future<HttpAnswer>> answers;
  for (int i = 0; i < 6; ++i)
    answers.push_back(std::async(std::launch::async, [&, i] {
      return classify(port, {{"inputs", testing::synthetic_abstract(i % 2 ? "cs.CL" : "cs.CV")}});
    }));
  for (auto& a : answers) {
    const HttpAnswer answer = a.get();
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(parsed(answer)["timing"]["batch_sequences"], 6);
  }
  const std::string metrics = metrics_text(port);
  EXPECT_EQ(metric(metrics, "greenbert_batch_size_count"), 1);
  EXPECT_EQ(metric(metrics, "greenbert_batch_size_sum"), 6);
  EXPECT_EQ(metric(metrics, "greenbert_predictions_total"), 6);
}

TEST_F(ServeApi, BadRequestsNeverReachTheirNeighboursBatch) {
  auto service = testing::loaded_service(batching_options(10000, 4));
  const int port = service->port();
  std::vector<std::future<HttpAnswer>> good, bad;
  for (int i = 0; i < 7; ++i) {
    auto& list = i % 2 ? bad : good;
    list.push_back(std::async(std::launch::async, [&, i] {
      return classify(port, i % 2 ? json{{"inputs", {{"abstract", i}}}}
                                  : json{{"inputs", testing::synthetic_abstract("cs.LG")}});
    }));
  }
  for (auto& a : bad) EXPECT_EQ(a.get().status, 422);
  for (auto& a : good) {
    const HttpAnswer answer = a.get();
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(parsed(answer)["timing"]["batch_sequences"], 4);
  }
  EXPECT_EQ(metric(metrics_text(port), "greenbert_batch_size_count"), 1);
}

TEST_F(ServeApi, MetricsAreInPrometheusTextFormatWithEnergy) {
  auto service = testing::loaded_service(testing::serve_options(model_));
  const int port = service->port();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(classify(port, {{"inputs", "a text"}}).status, 200);
  EXPECT_EQ(http_request(port, "GET", "/nope").status, 404);
  const HttpAnswer answer = http_request(port, "GET", "/metrics");
  EXPECT_EQ(answer.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = answer.body;
  const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf)$)");
  const std::regex comment(R"(^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$)");
  std::set<std::string> typed;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, comment)) {
      if (m[1] == "TYPE") typed.insert(m[2]);
      continue;
    }
    ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
    std::string family = m[1];
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!typed.count(family) && family.ends_with(suffix))
        family.resize(family.size() - std::string(suffix).size());
    EXPECT_TRUE(typed.count(family)) << "no # TYPE before " << line;
  }
  EXPECT_EQ(metric(text, R"(greenbert_requests_total{route="/v1/classify",status="200"})"), 3);
  EXPECT_EQ(metric(text, R"(greenbert_requests_total{route="other",status="404"})"), 1);
  EXPECT_EQ(metric(text, "greenbert_request_duration_seconds_count"), 3);
  EXPECT_EQ(metric(text, R"(greenbert_request_duration_seconds_bucket{le="+Inf"})"), 3);
  EXPECT_EQ(metric(text, "greenbert_queue_size"), 0);
  // Energy, labelled measured or estimated, in total and per request.
  std::smatch energy;
  ASSERT_TRUE(std::regex_search(text, energy,
                                std::regex(R"re(greenbert_inference_energy_joules_total)re"
                                           R"re((\{method="(measured|estimated)",)re"
                                           R"re(source="(rapl|perf|estimated)"\}))re")))
      << text;
  const std::string labels = energy[1];
  const double total = metric(text, "greenbert_inference_energy_joules_total" + labels);
  EXPECT_GT(total, 0);
  EXPECT_NEAR(metric(text, "greenbert_inference_energy_per_request_joules" + labels), total / 3,
              1e-9 + total * 1e-9);
  EXPECT_GT(metric(text, "greenbert_inference_power_watts" + labels), 0);
  EXPECT_NEAR(metric(text, "greenbert_request_energy_joules_sum" + labels), total, total * 1e-6);
}

TEST_F(ServeApi, SoftmaxOnlyForSingleLabelModels) {
  const auto single = testing::serve_model_dir("serve-single-label", "single_label_classification");
  auto service = testing::loaded_service(testing::serve_options(single));
  const json answer = parsed(
      classify(service->port(), {{"inputs", "a text"}, {"top_k", 5}, {"return_logits", true}}));
  EXPECT_EQ(answer["activation"], "softmax");
  double sum = 0;
  for (const json& s : answer["results"][0]["scores"]) sum += s["probability"].get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-5);
  EXPECT_EQ(parsed(http_request(service->port(), "GET", "/v1/model"))["activation"], "softmax");
  const auto regression = testing::serve_model_dir("serve-regression", "regression");
  EXPECT_THROW(testing::loaded_service(testing::serve_options(regression)), Error);
}

TEST_F(ServeApi, WebPageIsSelfContainedAndOpenApiDescribesEveryRoute) {
  auto service = testing::loaded_service(testing::serve_options(model_));
  const HttpAnswer page = http_request(service->port(), "GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  for (const char* id : {"id=\"title\"", "id=\"abstract\"", "id=\"classify\"", "id=\"results\"",
                         "id=\"time\"", "id=\"energy\"", "/v1/classify"})
    EXPECT_NE(page.body.find(id), std::string::npos) << id;
  // Nothing fetched from elsewhere: no external script, style, font or image.
  EXPECT_FALSE(std::regex_search(page.body, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)")));
  EXPECT_FALSE(std::regex_search(page.body, std::regex(R"(@import|url\(|@font-face)")));
  const HttpAnswer openapi = http_request(service->port(), "GET", "/openapi.json");
  ASSERT_EQ(openapi.status, 200);
  const json document = parsed(openapi);
  EXPECT_EQ(document["openapi"], "3.0.3");
  EXPECT_EQ(document["info"]["version"], GREENBERT_VERSION);
  for (const char* path : {"/", "/v1/classify", "/v1/model", "/health/live", "/health/ready",
                           "/metrics", "/openapi.json"})
    EXPECT_TRUE(document["paths"].contains(path)) << path;
  for (const char* status : {"200", "400", "401", "413", "422", "429", "503", "504"})
    EXPECT_TRUE(document["paths"]["/v1/classify"]["post"]["responses"].contains(status)) << status;
}

}  // namespace
}  // namespace greenbert
