#include "report/eval_record.h"

#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"

namespace greenbert {
namespace {

// Keys the writer and the reader share.
constexpr const char* kMetrics = "metrics";
constexpr const char* kThreshold = "threshold";
constexpr const char* kPerLabel = "per_label";
constexpr const char* kPapers = "papers";

double number_field(const nlohmann::json& object, const char* key, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) fail(where, ": no ", key);
  if (!object[key].is_number()) fail(where, ": ", key, " is not a number");
  return object[key].get<double>();
}

}  // namespace

ModelSummary summarize_model(const std::string& name, const BertConfig& config, int64_t parameters,
                             Precision precision, ModelKind kind) {
  return {name,
          kind == ModelKind::linear ? kLinearModelType : model_type_name(config.model_type),
          parameters,
          config.num_layers,
          config.hidden_size,
          precision,
          config.vocab_size};
}

nlohmann::ordered_json to_json(const ModelSummary& m) {
  return {{"name", m.name},
          {"model_type", m.model_type},
          {"parameters", m.parameters},
          {"layers", m.layers},
          {"hidden", m.hidden},
          {"precision", precision_name(m.precision)},
          {"vocab_size", m.vocab_size}};
}

nlohmann::ordered_json to_json(const EvalRecord& r) {
  nlohmann::ordered_json out;
  out["format"] = kEvalFormat;
  out["version"] = kEvalVersion;
  out["model"] = to_json(r.model);
  out["split"] = r.split;
  if (r.thresholds.size() == 1) {
    out[kThreshold] = r.thresholds[0];
  } else {
    if (r.thresholds.size() != r.labels.size())
      fail("eval record: ", r.thresholds.size(), " thresholds for ", r.labels.size(), " labels");
    out[kThreshold] = kPerLabel;
    auto& per_label = out["per_label_thresholds"] = nlohmann::ordered_json::object();
    for (size_t l = 0; l < r.labels.size(); ++l) per_label[r.labels[l]] = r.thresholds[l];
  }
  out[kMetrics] = to_json(r.metrics, r.labels);
  out["seconds"] = r.seconds;
  out["data"] = {{"path", r.data_path},
                 {"examples", r.examples},
                 {"max_length", r.max_length},
                 {"text", r.text}};
  out["labels_not_in_model"] = r.labels_not_in_model;
  out[kPapers] = to_json(r.papers);
  out["energy"] = {{"kwh", r.kwh},
                   {"kg_co2eq", r.kg_co2eq},
                   {"method", r.energy_method},
                   {"emissions_csv", r.emissions_csv}};
  return out;
}

EvalFigures read_eval_figures(const std::filesystem::path& file) {
  const std::string where = file.string();
  const auto j = read_json_file(file);
  const int version =
      check_json_format(j, kEvalFormat, kEvalVersion, where + " (`greenbert eval --json` output)");
  if (!j.contains(kMetrics)) fail(where, ": no ", kMetrics);
  EvalFigures figures;
  figures.micro_f1 = number_field(j[kMetrics], "micro_f1", where + ": metrics");
  if (j[kMetrics].is_object() && j[kMetrics].contains("macro_f1"))
    figures.macro_f1 = number_field(j[kMetrics], "macro_f1", where + ": metrics");
  if (j.contains(kThreshold) && j[kThreshold].is_number())
    figures.threshold = j[kThreshold].get<double>();
  if (version >= 2) {
    if (!j.contains(kPapers)) fail(where, ": version ", version, " without ", kPapers);
    figures.papers = paper_predictions_from_json(j[kPapers], where);
    figures.labels = static_cast<int64_t>(number_field(j[kMetrics], "labels", where + ": metrics"));
  }
  return figures;
}

}  // namespace greenbert
