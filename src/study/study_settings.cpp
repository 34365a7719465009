#include "study/study_settings.h"

#include "core/error.h"
#include "core/json_fields.h"
#include "study/study_layout.h"

namespace greenbert {

nlohmann::ordered_json to_json(const StudySettings& s) {
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  for (const auto& m : s.models) {
    nlohmann::ordered_json model = {{"name", m.name}};
    if (!m.preset.empty()) model["preset"] = m.preset;
    if (!m.init.empty()) model["init"] = m.init;
    model["size"] = m.size;
    if (m.pretrained) model["pretrained"] = true;
    models.push_back(model);
  }
  std::vector<std::string> precisions;
  for (Precision p : s.precisions) precisions.push_back(study_layout::precision_dir(p, s.layout));
  return {{"layout", s.layout},
          {"data", s.data},
          {"max_rows", s.max_rows},
          {"seed", s.seed},
          {"epochs", s.epochs ? nlohmann::ordered_json(*s.epochs) : nlohmann::ordered_json()},
          {"pretrain_epochs", s.pretrain_epochs},
          {"threads", s.threads},
          {"models", models},
          {"precisions", precisions},
          {"batch_sizes", s.batch_sizes},
          {"max_length", s.max_length},
          {"bench_repeats", s.bench_repeats},
          {"bench_rows", s.bench_rows},
          {"vocab", s.vocab},
          {"vocab_size", s.vocab_size},
          {"lifetime_predictions", s.lifetime_predictions},
          {"energy_args", s.energy_args}};
}

StudySettings settings_from_json(const nlohmann::json& json, const std::string& source) {
  try {
    StudySettings s;
    s.data = json.at("data").get<std::string>();
    s.max_rows = json_integer<int64_t>(json.at("max_rows"), "max_rows");
    s.seed = json_integer<uint64_t>(json.at("seed"), "seed");
    if (!json.at("epochs").is_null()) s.epochs = json_integer<int>(json.at("epochs"), "epochs");
    s.threads = json_integer<int>(json.at("threads"), "threads");
    // Manifests from before `study --pretrain` have no pretrained model.
    if (json.contains("pretrain_epochs"))
      s.pretrain_epochs = json_integer<int>(json["pretrain_epochs"], "pretrain_epochs");
    for (const auto& m : json.at("models")) {
      StudyModel model;
      model.name = m.at("name").get<std::string>();
      model.preset = m.value("preset", "");
      model.init = m.value("init", "");
      model.size = m.at("size").get<double>();
      model.pretrained = m.value("pretrained", false);
      if (model.preset.empty() == model.init.empty())
        fail("model '", model.name, "' needs exactly one of preset and init");
      if (model.pretrained && (model.preset.empty() || model.linear()))
        fail("model '", model.name, "': only an encoder preset can be pre-trained");
      s.models.push_back(model);
    }
    // Manifests without "layout" predate it: layout 1.
    s.layout = json.contains("layout") ? json_integer<int>(json["layout"], "layout") : 1;
    if (s.layout < 1 || s.layout > study_layout::kLayout)
      fail("layout ", s.layout, " is not one this greenbert reads (1 to ", study_layout::kLayout,
           ")");
    for (const auto& p : json.at("precisions").get<std::vector<std::string>>())
      s.precisions.push_back(parse_precision(p, "precisions"));
    s.batch_sizes = json.at("batch_sizes").get<std::vector<int>>();
    s.max_length = json_integer<int>(json.at("max_length"), "max_length");
    s.bench_repeats = json_integer<int>(json.at("bench_repeats"), "bench_repeats");
    s.bench_rows = json_integer<int64_t>(json.at("bench_rows"), "bench_rows");
    s.vocab = json.at("vocab").get<std::string>();
    s.vocab_size = json_integer<int>(json.at("vocab_size"), "vocab_size");
    s.lifetime_predictions =
        json_integer<int64_t>(json.at("lifetime_predictions"), "lifetime_predictions");
    s.energy_args = json.at("energy_args").get<std::vector<std::string>>();
    return s;
  } catch (const nlohmann::json::exception& e) {
    fail(source, ": settings: ", e.what());
  } catch (const Error& e) {
    fail(source, ": settings: ", e.what());
  }
}

double encoder_size(int64_t layers, int64_t hidden, int64_t intermediate) {
  return static_cast<double>(layers) *
         (4.0 * static_cast<double>(hidden) * static_cast<double>(hidden) +
          2.0 * static_cast<double>(hidden) * static_cast<double>(intermediate));
}

std::vector<Precision> model_precisions(const StudySettings& settings, const StudyModel& model) {
  return model.linear() ? std::vector<Precision>{Precision::fp32} : settings.precisions;
}

}  // namespace greenbert
