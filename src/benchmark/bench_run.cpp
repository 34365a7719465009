#include "benchmark/bench_run.h"

#include <sys/resource.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <numeric>
#include <optional>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"
#include "core/system_info.h"
#include "core/threads.h"
#include "energy/energy_tracker.h"
#include "infer/packed_gemm.h"
#include "model/linear_model.h"

namespace greenbert {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// User + system CPU time of this process so far.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) * 1e-6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::vector<TokenBatch> make_batches(const std::vector<std::vector<int32_t>>& sequences,
                                     int64_t batch_size) {
  std::vector<TokenBatch> batches;
  for (size_t i = 0; i < sequences.size(); i += static_cast<size_t>(batch_size)) {
    TokenBatch batch;
    const size_t end = std::min(sequences.size(), i + static_cast<size_t>(batch_size));
    for (size_t s = i; s < end; ++s) batch.add_sequence(sequences[s]);
    batches.push_back(std::move(batch));
  }
  return batches;
}

// The value at fraction q of sorted values (nearest rank).
double percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

void save_bench_inputs(const std::filesystem::path& path, const BenchInputs& inputs) {
  const json j{{"abstracts", inputs.abstracts}, {"throughput", inputs.throughput}};
  write_file_atomically(path, j.dump());
}

BenchInputs load_bench_inputs(const std::filesystem::path& path) {
  const json j = read_json_file(path);
  if (!j.is_object() || !j.contains("abstracts") || !j.contains("throughput"))
    fail(path.string(),
         ": not a bench inputs file ({\"abstracts\": [...], \"throughput\": [...]})");
  // Token ids, each range-checked: a float or an object must not become an id.
  auto sequences = [&](const char* key) {
    const json& list = j[key];
    if (!list.is_array()) fail(path.string(), ": \"", key, "\" must be an array of token arrays");
    std::vector<std::vector<int32_t>> out;
    for (const json& sequence : list) {
      if (!sequence.is_array())
        fail(path.string(), ": \"", key, "\" must be an array of token arrays");
      auto& ids = out.emplace_back();
      for (const json& id : sequence)
        ids.push_back(json_integer<int32_t>(id, cat(path.string(), ": ", key, " token id")));
    }
    return out;
  };
  BenchInputs inputs;
  inputs.abstracts = sequences("abstracts");
  inputs.throughput = sequences("throughput");
  return inputs;
}

json to_json(const BenchConfiguration& c) {
  return {
      {"model", c.model.string()},
      {"precision", precision_name(c.precision)},
      {"activations", std::string(activation_type_name(c.activations))},
      {"attention", c.attention ? json(precision_name(*c.attention)) : json(nullptr)},
      {"batch_size", c.batch_size},
      {"threads", c.threads},
      {"repeats", c.repeats},
      {"inputs", c.inputs.string()},
      {"emissions", c.emissions.string()},
      {"project", c.project},
      {"energy",
       {{"country", c.energy.country},
        {"carbon_intensity",
         c.energy.carbon_intensity ? json(*c.energy.carbon_intensity) : json(nullptr)},
        {"pue", c.energy.pue},
        {"cpu_power", c.energy.cpu_power_watts ? json(*c.energy.cpu_power_watts) : json(nullptr)},
        {"ram_power", c.energy.ram_power_watts ? json(*c.energy.ram_power_watts) : json(nullptr)},
        {"load_mode", std::string(load_mode_name(c.energy.load_mode))},
        {"ram_model",
         c.energy.ram_model == RamModel::codecarbon_v2 ? "codecarbon-v2" : "codecarbon-v3"},
        {"interval", c.energy.sample_interval_seconds},
        {"sysfs_root", c.energy.sysfs_root.string()}}}};
}

BenchConfiguration configuration_from_json(const json& j) {
  BenchConfiguration c;
  c.model = j.at("model").get<std::string>();
  c.precision = parse_precision(j.at("precision").get<std::string>());
  c.activations = parse_activation_type(j.at("activations").get<std::string>());
  if (!j.at("attention").is_null())
    c.attention = parse_precision(j["attention"].get<std::string>());
  c.batch_size = json_integer<int64_t>(j.at("batch_size"), "batch_size");
  c.threads = json_integer<int>(j.at("threads"), "threads");
  c.repeats = json_integer<int>(j.at("repeats"), "repeats");
  c.inputs = j.at("inputs").get<std::string>();
  c.emissions = j.at("emissions").get<std::string>();
  c.project = j.at("project").get<std::string>();
  const json& e = j.at("energy");
  c.energy.country = e.at("country").get<std::string>();
  if (!e.at("carbon_intensity").is_null())
    c.energy.carbon_intensity = e["carbon_intensity"].get<double>();
  c.energy.pue = e.at("pue").get<double>();
  if (!e.at("cpu_power").is_null()) c.energy.cpu_power_watts = e["cpu_power"].get<double>();
  if (!e.at("ram_power").is_null()) c.energy.ram_power_watts = e["ram_power"].get<double>();
  c.energy.load_mode =
      e.at("load_mode").get<std::string>() == "process" ? LoadMode::process : LoadMode::machine;
  c.energy.ram_model = e.at("ram_model").get<std::string>() == "codecarbon-v2"
                           ? RamModel::codecarbon_v2
                           : RamModel::codecarbon_v3;
  c.energy.sample_interval_seconds = e.at("interval").get<double>();
  c.energy.sysfs_root = e.at("sysfs_root").get<std::string>();
  return c;
}

double reference_gemm_rate(const BertConfig& config, Precision precision,
                           ActivationType activations, int64_t rows) {
  using dnnl::memory;
  using DataType = memory::data_type;
  // The types the session's GEMMs run here (packed_gemm.h: s8 activations as u8 without VNNI,
  // bf16 as fp32 without a bf16 kernel).
  const bool int8 = precision == Precision::int8;
  DataType src = precision == Precision::fp32                                 ? DataType::f32
                 : precision == Precision::bf16                               ? DataType::bf16
                 : runtime_activation_type(activations) == ActivationType::u8 ? DataType::u8
                                                                              : DataType::s8;
  if (src == DataType::bf16 && !has_bf16_gemm()) src = DataType::f32;
  const DataType weights = int8 ? DataType::s8 : src;
  const DataType dst = int8 ? DataType::s32 : DataType::f32;
  const int64_t C = config.hidden_size, I = config.intermediate_size;
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  double ops = 0, seconds = 0;
  for (const auto& [n, k] : {std::pair{3 * C, C}, {C, C}, {I, C}, {C, I}}) {
    const memory::desc a({rows, k}, src, memory::format_tag::ab);
    const memory::desc b({k, n}, weights, memory::format_tag::any);
    const memory::desc c({rows, n}, dst, memory::format_tag::ab);
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), engine);
    const dnnl::matmul matmul(pd);
    memory am(a, engine), bm(pd.weights_desc(), engine), cm(c, engine);
    std::memset(am.get_data_handle(), 1, a.get_size());
    std::memset(bm.get_data_handle(), 1, pd.weights_desc().get_size());
    const std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
    matmul.execute(stream, args);
    stream.wait();
    // Best of several timed runs of ~50 ms: the machine may be shared.
    double best = 1e30;
    for (int trial = 0; trial < 5; ++trial) {
      int calls = 0;
      const auto start = Clock::now();
      do {
        matmul.execute(stream, args);
        stream.wait();
        ++calls;
      } while (seconds_between(start, Clock::now()) < 0.05);
      best = std::min(best, seconds_between(start, Clock::now()) / calls);
    }
    ops += 2.0 * static_cast<double>(rows * n * k);
    seconds += best;
  }
  return ops / seconds / 1e9;
}

BenchPoint measure_configuration(const BenchConfiguration& c) {
  const int threads = set_thread_count(c.threads);
  const BenchInputs inputs = load_bench_inputs(c.inputs);
  if (inputs.abstracts.empty()) fail(c.inputs.string(), ": no abstracts to time");
  int64_t longest = 1;
  for (const auto& ids : inputs.abstracts) longest = std::max<int64_t>(longest, ids.size());
  for (const auto& ids : inputs.throughput) longest = std::max<int64_t>(longest, ids.size());

  // An encoder runs in the inference session; the linear baseline has no GEMM to report.
  const ModelDirectory model = ModelDirectory::open(c.model);
  std::optional<InferenceSession> session;
  std::optional<LinearModel> linear;
  if (model.kind == ModelKind::linear) {
    if (c.precision != Precision::fp32)
      fail(c.model.string(), ": a linear model runs in fp32 only");
    linear.emplace(load_linear_model(model));
  } else {
    SessionOptions options;
    options.precision = c.precision;
    options.threads = threads;
    options.activations = c.activations;
    options.attention = c.attention;
    options.max_tokens = c.batch_size * longest;
    options.max_sequences = c.batch_size;
    session.emplace(InferenceSession::open(model, options));
  }
  const int64_t labels = linear ? linear->config.num_labels() : session->config().num_labels();
  const std::vector<TokenBatch> timed = make_batches(inputs.abstracts, c.batch_size);
  const std::vector<TokenBatch> throughput = make_batches(inputs.throughput, c.batch_size);
  std::vector<float> logits(static_cast<size_t>(c.batch_size * labels));
  auto run = [&](const TokenBatch& batch) {
    const std::span<float> out(logits.data(), size_t(batch.sequences() * labels));
    if (linear)
      linear_forward(*linear, batch, out);
    else
      session->run(batch, out);
  };
  for (const TokenBatch& batch : timed) run(batch);  // warm-up: primitives, caches, pages

  const std::string phase = cat("bench-", precision_name(c.precision), "-b", c.batch_size);
  EnergyTracker tracker(phase, c.emissions, c.energy, c.project, phase);
  if (session) session->reset_stats();
  std::vector<double> times, latencies;
  int64_t timed_tokens = 0;
  for (const TokenBatch& batch : timed) timed_tokens += batch.tokens();
  const double cpu_start = cpu_seconds();
  for (int r = 0; r < c.repeats; ++r) {
    const auto start = Clock::now();
    for (const TokenBatch& batch : timed) {
      const auto batch_start = Clock::now();
      run(batch);
      latencies.push_back(seconds_between(batch_start, Clock::now()) * 1e3);
    }
    times.push_back(seconds_between(start, Clock::now()));
  }
  const double cpu_per_repeat = (cpu_seconds() - cpu_start) / c.repeats;
  const SessionStats gemm = session ? session->stats() : SessionStats{};
  const int64_t timed_sequences = static_cast<int64_t>(inputs.abstracts.size()) * c.repeats;
  tracker.add_work(timed_sequences, timed_tokens * c.repeats);

  const auto throughput_start = Clock::now();
  int64_t throughput_sequences = 0, throughput_tokens = 0;
  for (const TokenBatch& batch : throughput) {
    run(batch);
    throughput_sequences += batch.sequences();
    throughput_tokens += batch.tokens();
  }
  const double throughput_seconds = seconds_between(throughput_start, Clock::now());
  tracker.add_work(throughput_sequences, throughput_tokens);
  const EmissionsRecord row = tracker.stop();
  const double sequences = static_cast<double>(timed_sequences + throughput_sequences);

  // The session's peak, before the reference GEMMs below allocate their own operands.
  const double peak_mb = peak_rss_mib() * 1.048576;
  int64_t largest = 0;
  for (const TokenBatch& batch : timed) largest = std::max(largest, batch.tokens());
  const double reference =
      session ? reference_gemm_rate(session->config(), c.precision, c.activations, largest) : 0;
  const double achieved = gemm.gemm_seconds > 0 ? gemm.gemm_ops / gemm.gemm_seconds / 1e9 : 0;
  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  BenchPoint p;
  p.batch_size = c.batch_size;
  p.inference_time = percentile(times, 0.5);
  p.min = sorted.front();
  p.max = sorted.back();
  p.emissions_kg = row.emissions / sequences * static_cast<double>(inputs.abstracts.size());
  p.memory_mb = peak_mb;
  p.cpu_time = cpu_per_repeat;
  p.throughput = throughput_seconds > 0 ? double(throughput_sequences) / throughput_seconds : 0.0;
  p.throughput_sequences = throughput_sequences;
  p.latency_p50_ms = percentile(latencies, 0.5);
  p.latency_p90_ms = percentile(latencies, 0.9);
  p.latency_p99_ms = percentile(latencies, 0.99);
  p.energy_per_1000_j = tracker.details().joules / sequences * 1000.0;
  p.energy_method = std::string(energy_method_name(tracker.setup().method));
  p.gemm_gops = achieved;
  p.gemm_reference_gops = reference;
  p.gemm_efficiency = reference > 0 ? achieved / reference : 0.0;
  p.gemm_time_share = gemm.gemm_seconds / std::accumulate(times.begin(), times.end(), 0.0);
  p.others["repeat_times"] = times;
  if (!session) {
    p.gemm_implementation = "none (linear model)";
    return p;
  }
  p.gemm_implementation = session->gemm_implementation();
  p.attention = precision_name(session->attention());
  if (c.precision == Precision::int8)
    p.activations = cat(activation_type_name(session->activations()),
                        session->static_activations() ? "-static" : "-dynamic");
  return p;
}

}  // namespace greenbert
