#include "report/study_plots.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/error.h"
#include "study/study_layout.h"

namespace greenbert {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

class Drawer {
 public:
  Drawer(const StudyResults& results, const PlotSettings& settings, StudyPlots& out)
      : dir_(results.dir / study_layout::kPlotsDir), settings_(settings), out_(out) {
    std::filesystem::create_directories(dir_);
  }

  void lines(const std::string& name, const XYChart& chart, const std::string& caption) {
    add(name, chart.title, caption, [&](const auto& stem) { plot_lines(chart, stem, settings_); });
  }
  void scatter(const std::string& name, const XYChart& chart, const std::string& caption) {
    add(name, chart.title, caption,
        [&](const auto& stem) { plot_scatter(chart, stem, settings_); });
  }
  void bars(const std::string& name, const BarChart& chart, const std::string& caption) {
    add(name, chart.title, caption, [&](const auto& stem) { plot_bars(chart, stem, settings_); });
  }
  void skip(const std::string& what, const std::string& why) {
    out_.skipped.push_back(cat(what, ": ", why));
  }
  // After the last plot: one line for all the plots that gnuplot's absence left undrawn.
  void finish() {
    if (without_gnuplot_.empty()) return;
    std::string names;
    for (const auto& name : without_gnuplot_) names += cat(names.empty() ? "" : ", ", name);
    skip(names, cat(gnuplot_missing_, "; their scripts are written: `gnuplot NAME.gp` in ",
                    study_layout::kPlotsDir, "/ draws one"));
  }

 private:
  // A plot gnuplot cannot draw is skipped, not fatal: the tables, report and study.json matter
  // more than any one picture.
  template <typename Draw>
  void add(const std::string& name, const std::string& title, const std::string& caption,
           Draw draw) {
    try {
      draw(dir_ / name);
    } catch (const GnuplotMissing& e) {
      gnuplot_missing_ = e.what();
      without_gnuplot_.push_back(name);
      return;
    } catch (const Error& e) {
      return skip(name, e.what());
    }
    const std::string stem = cat(study_layout::kPlotsDir, "/", name);
    out_.figures.push_back({title, stem + ".png", stem + ".svg", caption});
  }
  std::filesystem::path dir_;
  const PlotSettings& settings_;
  StudyPlots& out_;
  std::string gnuplot_missing_;  // why gnuplot cannot run
  std::vector<std::string> without_gnuplot_;
};

XYChart xy_chart(const std::string& title, const std::string& x_label, const std::string& y_label) {
  XYChart chart;
  chart.title = title;
  chart.x.label = x_label;
  chart.y.label = y_label;
  return chart;
}

std::vector<double> running_mean(const std::vector<double>& values, size_t window) {
  std::vector<double> out;
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out.push_back(sum / static_cast<double>(std::min(i + 1, window)));
  }
  return out;
}

std::vector<double> all_y(const XYChart& chart) {
  std::vector<double> v;
  for (const auto& s : chart.series) v.insert(v.end(), s.y.begin(), s.y.end());
  return v;
}

std::vector<double> all_x(const XYChart& chart) {
  std::vector<double> v;
  for (const auto& s : chart.series) v.insert(v.end(), s.x.begin(), s.x.end());
  return v;
}

void loss_curves(Drawer& draw, const StudyResults& results) {
  XYChart chart =
      xy_chart("Training and validation loss", "optimizer step", "loss (binary cross-entropy)");
  for (const auto& m : results.models) {
    if (!m.train_loss.empty()) {
      const size_t window = std::max<size_t>(1, m.train_loss.size() / 50);
      chart.series.push_back(
          {cat(m.model.name, " train", window > 1 ? cat(" (mean of ", window, " steps)") : ""),
           m.train_step,
           running_mean(m.train_loss, window),
           {},
           false});
    }
    if (!m.val_loss.empty())
      chart.series.push_back({m.model.name + " validation", m.val_step, m.val_loss, {}, true});
  }
  if (chart.series.empty()) return draw.skip("loss curves", "no training log");
  // Always logarithmic: the first steps' fall from ln 2 would flatten everything after it.
  chart.y.log = true;
  draw.lines("loss_curves", chart,
             "Training loss from each run's train_log.csv, validation loss after each epoch "
             "from val_log.csv");
}

void f1_vs_training_emissions(Drawer& draw, const StudyFigures& figures) {
  XYChart chart = xy_chart("Test micro-F1 vs training emissions", "training emissions (kg CO2eq)",
                           "test micro-F1");
  Series series{"trained model (fp32)", {}, {}, {}, false};
  for (const auto& c : figures.configs) {
    if (c.precision != Precision::fp32 || !c.micro_f1 || !c.training_kg) continue;
    series.x.push_back(*c.training_kg);
    series.y.push_back(*c.micro_f1);
    series.labels.push_back(c.model);
  }
  if (series.x.empty())
    return draw.skip("micro-F1 vs training emissions",
                     "no fp32 model with both F1 and training energy");
  chart.series.push_back(series);
  chart.x.log = spans_decades(series.x);
  draw.scatter("f1_vs_training_emissions", chart,
               "Training emissions: the whole train stage (training, per-epoch validation, "
               "final test evaluation) as the study recorded it");
}

void efficiency(Drawer& draw, const StudyFigures& figures, bool per_kg) {
  BarChart chart;
  chart.title = per_kg ? "Efficiency: micro-F1 per kg CO2eq over a model's lifetime"
                       : "Efficiency: micro-F1 per kWh over a model's lifetime";
  chart.x_label = "model and precision";
  chart.y.label = per_kg ? "micro-F1 per kg CO2eq" : "micro-F1 per kWh";
  BarSeries series{per_kg ? "micro-F1 / lifetime kg CO2eq" : "micro-F1 / lifetime kWh", {}};
  for (const auto& c : figures.configs) {
    const auto value = per_kg ? c.f1_per_kg : c.f1_per_kwh;
    if (!value) continue;
    chart.categories.push_back(c.label());
    series.values.push_back(*value);
  }
  const std::string name = per_kg ? "efficiency_per_kg" : "efficiency_per_kwh";
  if (series.values.empty()) return draw.skip(name, "no configuration with F1 and lifetime energy");
  chart.series.push_back(series);
  chart.y.log = spans_decades(series.values);
  draw.bars(
      name, chart,
      cat("Lifetime: training + quantization + ", with_thousands(figures.lifetime_predictions),
          " predictions at batch size ", figures.reference_batch));
}

// One entry per benchmarked (record, backend): "bert-tiny int8", "bert-tiny fp32 (pytorch)".
struct BenchLine {
  std::string label;
  const std::vector<BenchPoint>* points;
  int64_t abstracts;
};

std::vector<BenchLine> bench_lines(const StudyResults& results) {
  std::vector<BenchLine> lines;
  for (const auto& record : results.bench)
    for (const auto& [backend, points] : record.backends)
      lines.push_back({cat(record.model, " ", precision_name(record.precision),
                           backend == "cpp" ? "" : cat(" (", backend, ")")),
                       &points, record.abstracts});
  return lines;
}

void inference_time(Drawer& draw, const StudyResults& results, const StudyFigures& figures) {
  const auto lines = bench_lines(results);
  std::set<int> batches;
  for (const auto& line : lines)
    for (const auto& p : *line.points) batches.insert(p.batch_size);
  if (lines.empty()) return draw.skip("inference time", "no benchmark record");
  BarChart chart;
  chart.title = cat("Time to classify ", figures.abstracts, " abstracts");
  chart.x_label = "model, precision (backend; greenbert when not named)";
  chart.y.label = "seconds (median of repeats)";
  std::vector<double> all;
  for (int batch : batches) {
    BarSeries series{cat("batch ", batch), {}};
    for (const auto& line : lines) {
      const BenchPoint* p = point_at(*line.points, batch);
      series.values.push_back(p ? p->inference_time : kMissing);
      if (p) all.push_back(p->inference_time);
    }
    chart.series.push_back(series);
  }
  for (const auto& line : lines) chart.categories.push_back(line.label);
  chart.y.log = spans_decades(all);
  draw.bars("inference_time", chart,
            cat("From bench.json: abstracts truncated to ", results.state.settings.max_length,
                " tokens, median over repeats"));
}

void memory(Drawer& draw, const StudyResults& results) {
  BarChart chart;
  chart.title = "Peak resident memory per configuration";
  chart.x_label = "model, precision (backend; greenbert when not named)";
  chart.y.label = "peak resident memory (MB)";
  BarSeries series{"highest over batch sizes", {}};
  for (const auto& line : bench_lines(results)) {
    double peak = kMissing;
    for (const auto& p : *line.points)
      if (p.memory_mb) peak = std::isnan(peak) ? *p.memory_mb : std::max(peak, *p.memory_mb);
    if (std::isnan(peak)) continue;
    chart.categories.push_back(line.label);
    series.values.push_back(peak);
  }
  if (series.values.empty()) return draw.skip("memory", "no benchmark measured memory");
  chart.series.push_back(series);
  chart.y.log = spans_decades(series.values);
  draw.bars("memory", chart, "Peak RSS of each benchmark configuration's own process");
}

void throughput(Drawer& draw, const StudyResults& results) {
  XYChart chart =
      xy_chart("Throughput vs batch size", "batch size", "throughput (sequences per second)");
  chart.x.log = true;
  for (const auto& line : bench_lines(results)) {
    Series series{line.label, {}, {}, {}, true};
    for (const auto& p : *line.points) {
      if (!p.throughput) continue;
      series.x.push_back(p.batch_size);
      series.y.push_back(*p.throughput);
    }
    if (!series.x.empty()) chart.series.push_back(series);
  }
  if (chart.series.empty()) return draw.skip("throughput", "no benchmark measured throughput");
  // Batch sizes grow geometrically: a log axis spaces them evenly, ticks name them.
  const std::vector<double> xs = all_x(chart);
  const std::set<double> batches(xs.begin(), xs.end());
  chart.x.ticks.assign(batches.begin(), batches.end());
  chart.y.log = spans_decades(all_y(chart));
  draw.lines("throughput_vs_batch", chart,
             "Sequences per second over bench's data, per batch size");
}

// The trade-off over a configuration's whole life, with the Pareto frontier (study_figures.h)
// as a step line.
void f1_vs_lifetime_energy(Drawer& draw, const StudyFigures& figures) {
  const std::string lifetime =
      figures.lifetime_predictions == 0
          ? "training + quantization"
          : cat("training + quantization + ", with_thousands(figures.lifetime_predictions),
                " predictions at batch size ", figures.reference_batch);
  XYChart chart = xy_chart("The trade-off: test micro-F1 vs lifetime energy",
                           cat("lifetime energy (kWh): ", lifetime), "test micro-F1");
  // The frontier first, so that the points are drawn over its line.
  Series frontier{"Pareto frontier", {}, {}, {}, false, /*steps=*/true};
  for (size_t i : figures.pareto_frontier) {
    frontier.x.push_back(*figures.configs[i].lifetime_kwh);
    frontier.y.push_back(*figures.configs[i].micro_f1);
  }
  if (!frontier.x.empty()) chart.series.push_back(frontier);
  // One legend entry per configuration: labels beside the points overlap where precisions of a
  // model cost about the same (bf16 and int8 often do).
  for (const auto& c : figures.configs) {
    if (!c.micro_f1 || !c.lifetime_kwh) continue;
    chart.series.push_back({c.label() + (c.priors_only() ? " (label priors only)" : ""),
                            {*c.lifetime_kwh},
                            {*c.micro_f1},
                            {},
                            false});
  }
  if (chart.series.empty())
    return draw.skip("micro-F1 vs lifetime energy", "no configuration with F1 and lifetime energy");
  chart.x.log = spans_decades(all_x(chart));
  draw.scatter("f1_vs_lifetime_energy", chart,
               "Up and to the left is better: each point is a model at a precision. The dashed "
               "steps join the Pareto frontier, from the cheapest configuration to the most "
               "accurate (point estimates of micro-F1; configurations that learned only the "
               "label priors are left off it)");
}

}  // namespace

StudyPlots draw_study_plots(const StudyResults& results, const StudyFigures& figures,
                            const PlotSettings& settings) {
  StudyPlots plots;
  Drawer draw(results, settings, plots);
  loss_curves(draw, results);
  f1_vs_training_emissions(draw, figures);
  efficiency(draw, figures, /*per_kg=*/false);
  efficiency(draw, figures, /*per_kg=*/true);
  inference_time(draw, results, figures);
  memory(draw, results);
  throughput(draw, results);
  f1_vs_lifetime_energy(draw, figures);
  draw.finish();
  return plots;
}

}  // namespace greenbert
