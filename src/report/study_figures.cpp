#include "report/study_figures.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <set>

#include "core/error.h"
#include "core/number_format.h"
#include "energy/energy_figures.h"

namespace greenbert {
namespace {

void add_sources(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& id : from)
    if (std::find(to.begin(), to.end(), id) == to.end()) to.push_back(id);
}

ConfigFigures figures_for(const StudyResults& results, const ConfigResult& config,
                          int reference_batch, int64_t lifetime) {
  ConfigFigures f;
  f.model = config.model;
  f.precision = config.precision;
  f.micro_f1 = config.micro_f1;
  f.macro_f1 = config.macro_f1;
  f.predictions = config.predictions;
  if (const StageResult* train = results.stage(config.model + "/train");
      train && train->record.status == StageStatus::done && train->energy) {
    f.training_kwh = train->energy->kwh;
    f.training_kg = train->energy->kg_co2eq;
    add_sources(f.energy_sources, train->energy->sources);
  }
  // A pretrained model's training is its pre-training and its fine-tuning.
  if (const StageResult* pretrain = results.stage(config.model + "/pretrain");
      pretrain && f.training_kwh) {
    if (pretrain->record.status == StageStatus::done && pretrain->energy) {
      *f.training_kwh += pretrain->energy->kwh;
      *f.training_kg += pretrain->energy->kg_co2eq;
      add_sources(f.energy_sources, pretrain->energy->sources);
    } else {
      f.training_kwh.reset();  // not known in full
      f.training_kg.reset();
    }
  }
  if (config.precision == Precision::fp32) {
    f.quantization_kwh = 0.0;
    f.quantization_kg = 0.0;
  } else if (const StageResult* q = results.stage(config.model, "quantize", config.precision);
             q && q->record.status == StageStatus::done && q->energy) {
    f.quantization_kwh = q->energy->kwh;
    f.quantization_kg = q->energy->kg_co2eq;
    add_sources(f.energy_sources, q->energy->sources);
  }
  if (config.bench) {
    const BenchRecord& record = results.bench[*config.bench];
    const auto& points = *record.backend("cpp");
    f.model_size_mb = record.model_size_mb;
    if (const BenchPoint* b1 = point_at(points, 1)) f.latency_b1_ms = b1->latency_p50_ms;
    if (const BenchPoint* ref = point_at(points, reference_batch)) {
      f.abstracts_seconds = ref->inference_time;
      f.inference_j_per_1000 = ref->energy_per_1000_j;
      if (ref->emissions_kg)
        f.inference_kg_per_1000 = *ref->emissions_kg * 1000.0 / record.abstracts;
      if (f.inference_j_per_1000) add_sources(f.energy_sources, {config.bench_energy_source});
    }
    for (const auto& p : points)
      if (p.memory_mb) f.peak_memory_mb = std::max(f.peak_memory_mb.value_or(0.0), *p.memory_mb);
  }
  const double thousands = static_cast<double>(lifetime) / 1000.0;
  if (f.training_kwh && f.quantization_kwh && (lifetime == 0 || f.inference_j_per_1000))
    f.lifetime_kwh = *f.training_kwh + *f.quantization_kwh +
                     (lifetime == 0 ? 0.0 : joules_to_kwh(*f.inference_j_per_1000 * thousands));
  if (f.training_kg && f.quantization_kg && (lifetime == 0 || f.inference_kg_per_1000))
    f.lifetime_kg = *f.training_kg + *f.quantization_kg +
                    (lifetime == 0 ? 0.0 : *f.inference_kg_per_1000 * thousands);
  if (f.micro_f1 && f.lifetime_kwh && *f.lifetime_kwh > 0)
    f.f1_per_kwh = *f.micro_f1 / *f.lifetime_kwh;
  if (f.micro_f1 && f.lifetime_kg && *f.lifetime_kg > 0) f.f1_per_kg = *f.micro_f1 / *f.lifetime_kg;
  return f;
}

template <typename Get>
std::optional<size_t> best(const std::vector<ConfigFigures>& configs, Get get) {
  std::optional<size_t> found;
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::optional<double> value = get(configs[i]);
    if (value && (!found || *value > *get(configs[*found]))) found = i;
  }
  return found;
}

std::optional<double> saving(std::optional<double> chosen, std::optional<double> reference) {
  if (!chosen || !reference || *reference <= 0) return std::nullopt;
  return 100.0 * (1.0 - *chosen / *reference);
}

// "saves 92.0 % of training emissions", "costs 5.0 % more inference energy"; the verb is left
// out when the previous part had the same one ("saves A and B").
std::string saving_words(double percent, const std::string& what, std::optional<double> previous) {
  const bool saves = percent >= 0;
  const bool same_verb = previous && ((*previous >= 0) == saves);
  const std::string verb = same_verb ? "" : saves ? "saves " : "costs ";
  return saves ? cat(verb, fixed(percent, 1), " % of ", what)
               : cat(verb, fixed(-percent, 1), " % more ", what);
}

// More than one model evaluated, and every evaluated configuration has the same F1s.
bool all_score_alike(const std::vector<ConfigFigures>& configs) {
  const ConfigFigures* first = nullptr;
  std::set<std::string> models;
  for (const auto& c : configs) {
    if (!c.micro_f1) continue;
    models.insert(c.model);
    if (first == nullptr) first = &c;
    if (*c.micro_f1 != *first->micro_f1 || c.macro_f1 != first->macro_f1) return false;
  }
  return models.size() > 1;
}

// "0.696 (95 % CI 0.684-0.708)", or the bare F1 when no interval is known.
std::string f1_words(double f1, const std::optional<PredictionSummary>& p) {
  return p ? cat(fixed(f1, 3), " (95 % CI ", fixed(p->micro_f1.low, 3), "-",
                 fixed(p->micro_f1.high, 3), ")")
           : fixed(f1, 3);
}

bool intervals_overlap(const ConfigFigures& x, const ConfigFigures& y) {
  return x.predictions && y.predictions &&
         x.predictions->micro_f1.overlaps(y.predictions->micro_f1);
}

Recommendation recommend(const StudyFigures& figures) {
  Recommendation r;
  const auto& configs = figures.configs;
  for (size_t i = 0; i < configs.size(); ++i)
    if (configs[i].micro_f1 && configs[i].priors_only()) {
      r.priors_only.push_back(i);
      r.sentences.push_back(
          cat(configs[i].label(), " learned only the label priors: it gives ",
              fixed(100.0 * configs[i].predictions->modal_share, 0),
              " % of the test papers the same labels whatever they say (micro-F1 ",
              fixed(*configs[i].micro_f1, 3), "), so it is not recommended."));
    }
  // Never recommended: a model that predicts the label priors (whatever its micro-F1).
  auto unless_priors = [](std::optional<double> value, const ConfigFigures& c) {
    return c.priors_only() ? std::nullopt : value;
  };
  r.most_accurate =
      best(configs, [&](const ConfigFigures& c) { return unless_priors(c.micro_f1, c); });
  r.most_efficient =
      best(configs, [&](const ConfigFigures& c) { return unless_priors(c.f1_per_kwh, c); });
  if (!r.most_accurate) {
    r.sentences.push_back(r.priors_only.empty()
                              ? "No configuration was evaluated: there is nothing to recommend yet."
                              : "No configuration learned more than the label priors: none is "
                                "recommended. Train longer, or on more data.");
    return r;
  }
  const ConfigFigures& a = configs[*r.most_accurate];
  r.sentences.push_back(cat("Most accurate: ", a.label(), " (test micro-F1 ",
                            f1_words(*a.micro_f1, a.predictions), ", macro-F1 ",
                            a.macro_f1 ? fixed(*a.macro_f1, 3) : "n/a", ")."));
  std::string tied;
  for (size_t i = 0; i < configs.size(); ++i)
    if (i != *r.most_accurate && !configs[i].priors_only() && configs[i].micro_f1 &&
        intervals_overlap(configs[i], a))
      tied += cat(tied.empty() ? "" : ", ", configs[i].label());
  if (!tied.empty())
    r.sentences.push_back(cat("It is not distinguishably more accurate than ", tied,
                              ": their bootstrap 95 % intervals on micro-F1 overlap."));
  if (all_score_alike(configs))
    r.sentences.push_back(
        "Every configuration scores exactly the same micro-F1 and macro-F1: the models most "
        "likely predict the same labels (the most frequent ones) for every paper instead of "
        "reading it. Train on more data or for more epochs before comparing their accuracy.");
  if (!r.most_efficient) {
    r.sentences.push_back(
        "Most efficient: not determined (no configuration has both its training and its "
        "inference energy).");
    return r;
  }
  const ConfigFigures& x = configs[*r.most_efficient];
  const std::string lifetime =
      figures.lifetime_predictions == 0
          ? "training and quantization"
          : cat("training, quantization and ", with_thousands(figures.lifetime_predictions),
                " predictions at batch size ", figures.reference_batch);
  r.sentences.push_back(cat("Most efficient: ", x.label(), " (", general(*x.f1_per_kwh),
                            " micro-F1 per kWh over its lifetime: ", lifetime, ")."));
  if (*r.most_efficient == *r.most_accurate) {
    r.sentences.push_back(cat(a.label(),
                              " is both the most accurate and the most efficient "
                              "configuration of this study."));
    return r;
  }
  r.training_saving_percent = saving(x.training_kg, a.training_kg);
  r.inference_saving_percent = saving(x.inference_j_per_1000, a.inference_j_per_1000);
  r.f1_drop_points = 100.0 * (*a.micro_f1 - *x.micro_f1);
  r.accuracy_indistinguishable = intervals_overlap(x, a);
  std::string sentence = cat("Choosing ", x.label(), " over ", a.label(), " ");
  std::vector<std::string> parts;
  if (r.training_saving_percent)
    parts.push_back(saving_words(*r.training_saving_percent, "training emissions", std::nullopt));
  if (r.inference_saving_percent)
    parts.push_back(
        saving_words(*r.inference_saving_percent, "inference energy", r.training_saving_percent));
  for (size_t i = 0; i < parts.size(); ++i) sentence += cat(i == 0 ? "" : " and ", parts[i]);
  const double drop = *r.f1_drop_points;
  if (r.accuracy_indistinguishable)
    sentence += cat(parts.empty() ? "" : " ", "at no distinguishable cost in accuracy (micro-F1 ",
                    fixed(*x.micro_f1, 3), " against ", fixed(*a.micro_f1, 3),
                    ": their 95 % intervals overlap).");
  else
    sentence += drop >= 0 ? cat(parts.empty() ? "costs " : " for ", "a drop of ", fixed(drop, 1),
                                " points of micro-F1.")
                          : cat(parts.empty() ? "gains " : " and gains ", fixed(-drop, 1),
                                " points of micro-F1.");
  r.sentences.push_back(sentence);
  return r;
}

// The frontier in words, for the recommendation; nothing when no configuration is on it.
std::optional<std::string> frontier_sentence(const StudyFigures& figures) {
  const auto& frontier = figures.pareto_frontier;
  if (frontier.empty()) return std::nullopt;
  std::string names;
  for (size_t i : frontier) names += cat(names.empty() ? "" : ", ", figures.configs[i].label());
  const std::string members =
      frontier.size() == 1
          ? cat(": ", names,
                " alone, at least as cheap and as accurate as every other configuration.")
          : cat(", from the cheapest configuration to the most accurate: ", names,
                ". Every other configuration needs at least as much energy as one of these "
                "for no better micro-F1.");
  return cat("Pareto frontier of lifetime energy against test micro-F1", members,
             " Membership compares the point estimates of micro-F1, not their bootstrap "
             "intervals, and leaves out configurations that learned only the label priors.");
}

}  // namespace

bool StudyFigures::pareto_optimal(size_t config) const {
  return std::find(pareto_frontier.begin(), pareto_frontier.end(), config) != pareto_frontier.end();
}

// Sorted by energy (then micro-F1 descending), a configuration is dominated exactly when an
// earlier one has a higher micro-F1, or the same micro-F1 at a lower energy: one sweep that
// remembers the best micro-F1 so far and the lowest energy that reached it decides.
std::vector<size_t> pareto_frontier(const std::vector<ConfigFigures>& configs) {
  std::vector<size_t> candidates;
  for (size_t i = 0; i < configs.size(); ++i)
    if (configs[i].micro_f1 && configs[i].lifetime_kwh && !configs[i].priors_only())
      candidates.push_back(i);
  std::stable_sort(candidates.begin(), candidates.end(), [&](size_t a, size_t b) {
    const ConfigFigures &x = configs[a], &y = configs[b];
    return *x.lifetime_kwh != *y.lifetime_kwh ? *x.lifetime_kwh < *y.lifetime_kwh
                                              : *x.micro_f1 > *y.micro_f1;
  });
  std::vector<size_t> frontier;
  double best_f1 = -std::numeric_limits<double>::infinity();
  double best_kwh = 0;  // the lowest energy at which best_f1 was reached
  for (size_t i : candidates) {
    const double f1 = *configs[i].micro_f1, kwh = *configs[i].lifetime_kwh;
    if (f1 > best_f1) {
      best_f1 = f1;
      best_kwh = kwh;
      frontier.push_back(i);
    } else if (f1 == best_f1 && kwh == best_kwh) {
      frontier.push_back(i);  // the same figures as a configuration on the frontier
    }
  }
  return frontier;
}

std::string with_thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

StudyFigures compute_figures(const StudyResults& results, int64_t lifetime_predictions) {
  StudyFigures figures;
  const auto& batches = results.state.settings.batch_sizes;
  figures.reference_batch = batches.empty() ? 0 : *std::max_element(batches.begin(), batches.end());
  figures.lifetime_predictions = lifetime_predictions;
  for (const auto& config : results.configs) {
    if (config.bench) figures.abstracts = results.bench[*config.bench].abstracts;
    figures.configs.push_back(
        figures_for(results, config, figures.reference_batch, lifetime_predictions));
  }
  figures.pareto_frontier = pareto_frontier(figures.configs);
  figures.recommendation = recommend(figures);
  if (auto sentence = frontier_sentence(figures))
    figures.recommendation.sentences.push_back(*sentence);
  return figures;
}

}  // namespace greenbert
