#include "train/checkpoint.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json_document.h"
#include "core/json_fields.h"
#include "io/safetensors.h"
#include "io/tensor_file.h"

namespace greenbert {
namespace {

constexpr const char* kFormat = "greenbert-checkpoint";
constexpr const char* kVersion = "1";

// The buffers of a checkpoint and the prefix of their tensor names: parameters and both AdamW
// moments of the model, then of each extra. Buffer is const for saving, mutable for loading.
template <typename Buffer>
struct Part {
  std::string prefix;
  Buffer* buffer;
};

template <typename Buffer, typename Adam>
std::vector<Part<Buffer>> parts_of(Buffer& params, Adam& adam,
                                   std::span<const CheckpointExtra> extras) {
  std::vector<Part<Buffer>> parts = {
      {"param.", &params}, {"adam_m.", &adam.m}, {"adam_v.", &adam.v}};
  for (const CheckpointExtra& e : extras) {
    if (e.params == nullptr || e.adam == nullptr) fail("checkpoint: an extra without its buffers");
    parts.push_back({e.prefix + "param.", e.params});
    parts.push_back({e.prefix + "adam_m.", &e.adam->m});
    parts.push_back({e.prefix + "adam_v.", &e.adam->v});
  }
  return parts;
}

nlohmann::json to_json(const TrainingState& s) {
  return {{"step", s.step},
          {"epoch", s.epoch},
          {"batch", s.batch},
          {"validated_step", s.validated_step},
          {"best_micro_f1", s.best_micro_f1},
          {"best_val_loss", s.best_val_loss},
          {"best_step", s.best_step},
          {"best_epoch", s.best_epoch},
          {"train_seconds", s.train_seconds},
          {"train_sequences", s.train_sequences},
          {"elapsed_seconds", s.elapsed_seconds},
          // As a string: JSON numbers lose 64-bit integers in many readers.
          {"seed", std::to_string(s.seed)},
          {"batches_per_epoch", s.batches_per_epoch},
          {"total_steps", s.total_steps},
          {"data", to_json(s.data)}};
}

TrainingState state_from_json(const std::string& text, const std::string& file) {
  const auto json = parse_json(text, cat(file, ": metadata 'state'"));
  if (!json.is_object()) fail(file, ": metadata 'state' is not a JSON object");
  TrainingState s;
  try {
    s.step = json_integer<int64_t>(json.at("step"), "step");
    s.epoch = json_integer<int64_t>(json.at("epoch"), "epoch");
    s.batch = json_integer<int64_t>(json.at("batch"), "batch");
    s.validated_step = json_integer<int64_t>(json.at("validated_step"), "validated_step");
    s.best_micro_f1 = json.at("best_micro_f1").get<double>();
    s.best_val_loss = json.at("best_val_loss").get<double>();
    s.best_step = json_integer<int64_t>(json.at("best_step"), "best_step");
    s.best_epoch = json.at("best_epoch").get<double>();
    s.train_seconds = json.at("train_seconds").get<double>();
    s.train_sequences = json_integer<int64_t>(json.at("train_sequences"), "train_sequences");
    s.elapsed_seconds = json.at("elapsed_seconds").get<double>();
    s.seed = std::stoull(json.at("seed").get<std::string>());
    s.batches_per_epoch = json_integer<int64_t>(json.at("batches_per_epoch"), "batches_per_epoch");
    s.total_steps = json_integer<int64_t>(json.at("total_steps"), "total_steps");
  } catch (const std::exception& e) {
    fail(file, ": metadata 'state': ", e.what());
  }
  if (json.contains("data"))
    s.data = fingerprint_from_json(json.at("data"), cat(file, ": metadata 'state'"));
  if (s.step < 0 || s.epoch < 0 || s.batch < 0 || s.batch > s.batches_per_epoch ||
      s.validated_step > s.step || s.step > s.total_steps)
    fail(file, ": metadata 'state' is inconsistent (step ", s.step, " of ", s.total_steps,
         ", epoch ", s.epoch, ", batch ", s.batch, " of ", s.batches_per_epoch, ")");
  return s;
}

}  // namespace

std::filesystem::path checkpoint_file(const std::filesystem::path& dir) {
  return dir / "checkpoint.safetensors";
}

void save_checkpoint(const std::filesystem::path& dir, const TrainingState& state,
                     const ParameterBuffer& params, const AdamWState& adam,
                     std::span<const CheckpointExtra> extras) {
  std::filesystem::create_directories(dir);
  std::vector<NamedTensor> tensors;
  for (const auto& part : parts_of(params, adam, extras))
    for (const ParameterTensor& t : part.buffer->layout().tensors())
      tensors.push_back(
          {cat(part.prefix, t.name), {DType::F32, t.shape, std::as_bytes(part.buffer->view(t))}});
  write_safetensors(checkpoint_file(dir), tensors,
                    {{"format", kFormat}, {"version", kVersion}, {"state", to_json(state).dump()}});
}

std::optional<TrainingState> load_checkpoint(const std::filesystem::path& dir,
                                             ParameterBuffer& params, AdamWState& adam,
                                             std::span<const CheckpointExtra> extras) {
  const auto path = checkpoint_file(dir);
  if (!std::filesystem::exists(path)) return std::nullopt;
  const std::string file = path.string();
  const TensorFile checkpoint = TensorFile::open(path);
  const auto& metadata = checkpoint.metadata();
  auto meta = [&](const char* key) {
    const auto it = metadata.find(key);
    if (it == metadata.end()) fail(file, ": not a ", kFormat, " file (no metadata '", key, "')");
    return it->second;
  };
  if (meta("format") != kFormat) fail(file, ": not a ", kFormat, " file");
  if (meta("version") != kVersion)
    fail(file, ": checkpoint version ", meta("version"), " is not ", kVersion);
  TrainingState state = state_from_json(meta("state"), file);

  const auto parts = parts_of(params, adam, extras);
  size_t expected = 0;
  for (const auto& part : parts) expected += part.buffer->layout().tensors().size();
  if (checkpoint.tensors().size() != expected)
    fail(file, ": ", checkpoint.tensors().size(), " tensors but this model needs ", expected,
         " (a checkpoint of another model?)");
  for (const auto& part : parts) {
    for (const ParameterTensor& t : part.buffer->layout().tensors()) {
      const std::string name = cat(part.prefix, t.name);
      const TensorView& view = checkpoint.at(name);
      if (view.dtype != DType::F32 || view.shape != t.shape)
        fail(file, ": tensor ", name, ": ", dtype_name(view.dtype), " ", format_shape(view.shape),
             " but the model needs F32 ", format_shape(t.shape));
      auto target = std::as_writable_bytes(part.buffer->view(t));
      std::copy(view.bytes.begin(), view.bytes.end(), target.begin());
    }
  }
  adam.step = state.step;
  for (const CheckpointExtra& e : extras) e.adam->step = state.step;
  return state;
}

}  // namespace greenbert
