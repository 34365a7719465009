#include "report/paper_predictions.h"

#include <algorithm>
#include <map>

#include "core/error.h"
#include "data/seeded_random.h"

namespace greenbert {
namespace {

// One paper's outcome per label it touches: +tp, +fp, +fn counts.
struct LabelCount {
  int32_t label = 0;
  int32_t tp = 0, fp = 0, fn = 0;
};

std::vector<LabelCount> paper_counts(const std::vector<int32_t>& truth,
                                     const std::vector<int32_t>& predicted) {
  std::vector<LabelCount> counts;
  for (int32_t l : predicted) {
    const bool hit = std::find(truth.begin(), truth.end(), l) != truth.end();
    counts.push_back({l, hit ? 1 : 0, hit ? 0 : 1, 0});
  }
  for (int32_t l : truth)
    if (std::find(predicted.begin(), predicted.end(), l) == predicted.end())
      counts.push_back({l, 0, 0, 1});
  return counts;
}

double f1(int64_t tp, int64_t fp, int64_t fn) {
  const int64_t d = 2 * tp + fp + fn;
  return d > 0 ? 2.0 * static_cast<double>(tp) / static_cast<double>(d) : 0.0;
}

// The 2.5th and 97.5th percentiles.
Interval percentile_interval(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    const auto i = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(i, values.size() - 1)];
  };
  return {at(0.025), at(0.975)};
}

}  // namespace

PaperPredictions paper_predictions(std::span<const float> probabilities,
                                   std::span<const uint8_t> targets, int64_t labels,
                                   std::span<const float> thresholds) {
  if (labels < 1 || probabilities.size() != targets.size() || probabilities.size() % labels != 0 ||
      (thresholds.size() != 1 && static_cast<int64_t>(thresholds.size()) != labels))
    fail("paper predictions: ", probabilities.size(), " probabilities, ", targets.size(),
         " targets and ", thresholds.size(), " thresholds for ", labels, " labels");
  PaperPredictions papers;
  const size_t n = probabilities.size() / static_cast<size_t>(labels);
  papers.truth.resize(n);
  papers.predicted.resize(n);
  for (size_t e = 0; e < n; ++e)
    for (int32_t l = 0; l < labels; ++l) {
      const size_t at = e * static_cast<size_t>(labels) + static_cast<size_t>(l);
      if (targets[at]) papers.truth[e].push_back(l);
      if (probabilities[at] >= thresholds[thresholds.size() == 1 ? 0 : size_t(l)])
        papers.predicted[e].push_back(l);
    }
  return papers;
}

nlohmann::ordered_json to_json(const PaperPredictions& papers) {
  return {{"true", papers.truth}, {"predicted", papers.predicted}};
}

PaperPredictions paper_predictions_from_json(const nlohmann::json& papers,
                                             const std::string& source) {
  PaperPredictions p;
  try {
    p.truth = papers.at("true").get<std::vector<std::vector<int32_t>>>();
    p.predicted = papers.at("predicted").get<std::vector<std::vector<int32_t>>>();
  } catch (const nlohmann::json::exception& e) {
    fail(source, ": papers: ", e.what());
  }
  if (p.truth.size() != p.predicted.size())
    fail(source, ": papers: ", p.truth.size(), " true label sets but ", p.predicted.size(),
         " predicted ones");
  return p;
}

std::optional<PredictionSummary> summarize_predictions(const PaperPredictions& papers,
                                                       int64_t labels, uint64_t seed) {
  const size_t n = papers.predicted.size();
  if (n == 0 || labels < 1) return std::nullopt;
  std::vector<std::vector<LabelCount>> counts(n);
  for (size_t i = 0; i < n; ++i) {
    counts[i] = paper_counts(papers.truth[i], papers.predicted[i]);
    for (const LabelCount& c : counts[i])
      if (c.label < 0 || c.label >= labels)
        fail("paper ", i, ": label id ", c.label, " is outside the model's ", labels, " labels");
  }
  PredictionSummary summary;
  std::map<std::vector<int32_t>, int64_t> sets;
  for (const auto& predicted : papers.predicted) {
    std::vector<int32_t> sorted = predicted;
    std::sort(sorted.begin(), sorted.end());
    ++sets[sorted];
  }
  int64_t modal = 0;
  for (const auto& [set, count] : sets) modal = std::max(modal, count);
  summary.modal_share = static_cast<double>(modal) / static_cast<double>(n);

  SeededRandom random(seed);
  const auto L = static_cast<size_t>(labels);
  std::vector<int64_t> tp(L), fp(L), fn(L);
  std::vector<double> micro, macro;
  for (int r = 0; r < kBootstrapResamples; ++r) {
    std::fill(tp.begin(), tp.end(), 0);
    std::fill(fp.begin(), fp.end(), 0);
    std::fill(fn.begin(), fn.end(), 0);
    for (size_t k = 0; k < n; ++k)
      for (const LabelCount& c : counts[random.below(n)]) {
        tp[size_t(c.label)] += c.tp;
        fp[size_t(c.label)] += c.fp;
        fn[size_t(c.label)] += c.fn;
      }
    int64_t all_tp = 0, all_fp = 0, all_fn = 0;
    double sum = 0;
    for (size_t l = 0; l < L; ++l) {
      all_tp += tp[l], all_fp += fp[l], all_fn += fn[l];
      sum += f1(tp[l], fp[l], fn[l]);
    }
    micro.push_back(f1(all_tp, all_fp, all_fn));
    macro.push_back(sum / static_cast<double>(L));
  }
  summary.micro_f1 = percentile_interval(std::move(micro));
  summary.macro_f1 = percentile_interval(std::move(macro));
  return summary;
}

}  // namespace greenbert
