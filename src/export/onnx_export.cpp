#include "export/onnx_export.h"

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "export/onnx_graph.h"
#include "infer/quantization.h"
#include "io/tensor_file.h"
#include "model/names.h"
#include "model/parameters.h"

namespace greenbert {
namespace {

using onnx::TensorProto;

constexpr int kIrVersion = 8;  // ONNX 1.12
constexpr int kOpset = 17;     // the first with LayerNormalization

// out (cols, rows) = x (rows, cols) transposed
template <typename T>
std::vector<T> transposed(std::span<const T> x, int64_t rows, int64_t cols) {
  std::vector<T> out(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[size_t(c * rows + r)] = x[size_t(r * cols + c)];
  return out;
}

// q (rows, cols) symmetric int8 with scales (rows): w ≈ scales[r] · q[r][c].
struct Int8Weight {
  std::vector<int8_t> q;
  std::vector<float> scales;
};

class BertGraph {
 public:
  BertGraph(onnx::GraphProto& graph, const BertConfig& config, const ModelTensors& weights,
            bool int8)
      : g_(graph), config_(config), layout_(config), weights_(weights), int8_(int8) {}

  void build() {
    const std::vector<OnnxDim> tokens = {std::string("batch"), std::string("sequence")};
    g_.input("input_ids", TensorProto::INT64, tokens);
    g_.input("attention_mask", TensorProto::INT64, tokens);
    if (config_.has_token_types()) g_.input("token_type_ids", TensorProto::INT64, tokens);
    one_ = g_.scalar("one", 1.0f);
    half_ = g_.scalar("half", 0.5f);
    sqrt2_ = g_.scalar("sqrt2", std::sqrt(2.0f));
    sqrt_head_ = g_.scalar("sqrt_head_dim", std::sqrt(float(config_.head_dim())));
    heads_shape_ = shape("heads_shape", {0, 0, config_.num_heads, config_.head_dim()});
    hidden_shape_ = shape("hidden_shape", {0, 0, config_.hidden_size});
    const std::string mask = additive_mask();
    std::string x = embeddings();
    for (int64_t l = 0; l < config_.num_layers; ++l) x = encoder_layer(x, l, mask);
    head(x);
    g_.output("logits", TensorProto::FLOAT, {std::string("batch"), config_.num_labels()});
  }

 private:
  // The family's checkpoint name of a canonical one: what initializers and nodes are named.
  std::string hf(const std::string& canonical) const {
    return checkpoint_name(canonical, config_.model_type);
  }
  // The family's name of the module `prefix` (canonical, e.g. "bert.encoder.layer.0.output.dense").
  std::string module_name(const std::string& prefix) const {
    const std::string weight = hf(prefix + ".weight");
    return weight.substr(0, weight.size() - std::string_view(".weight").size());
  }

  std::string shape(const std::string& name, const std::vector<int64_t>& values) {
    return g_.int64s(name, {static_cast<int64_t>(values.size())}, values);
  }

  std::vector<float> float_values(const std::string& canonical) const {
    const TensorView& view = weights_.at(canonical);
    if (!is_floating(view.dtype))
      fail("tensor ", hf(canonical), " is ", dtype_name(view.dtype),
           ": an fp32 ONNX model needs the fp32 (or bf16) model; export an int8 model as int8");
    return to_float32(view);
  }

  // A float parameter as is (biases, LayerNorm, position and token-type embeddings, the head).
  std::string float_tensor(const std::string& canonical) {
    return g_.floats(hf(canonical), layout_.at(canonical).shape, float_values(canonical));
  }

  Int8Weight int8_weight(const std::string& canonical) const {
    const TensorView& view = weights_.at(canonical);
    const int64_t rows = view.shape.at(0), cols = view.shape.at(1);
    Int8Weight w{std::vector<int8_t>(size_t(rows * cols)), std::vector<float>(size_t(rows))};
    if (view.dtype == DType::I8) {
      std::memcpy(w.q.data(), view.bytes.data(), w.q.size());
      w.scales = to_float32(weights_.at(canonical + "_scale"));  // infer/quantized_model.h
    } else {
      const std::vector<float> values = float_values(canonical);
      quantize_rows_symmetric(w.q.data(), w.scales.data(), values.data(), rows, cols);
    }
    return w;
  }

  // (x_q, x_scale, x_zero_point) of a Linear input, one DynamicQuantizeLinear per input (Q, K
  // and V share theirs).
  const std::vector<std::string>& quantized_input(const std::string& x, const std::string& name) {
    auto it = quantized_inputs_.find(x);
    if (it == quantized_inputs_.end())
      it = quantized_inputs_
               .emplace(x,
                        g_.node_outputs("DynamicQuantizeLinear", name + "/DynamicQuantize", {x}, 3))
               .first;
    return it->second;
  }

  // x (batch, sequence, in) → (batch, sequence, out) = x · Wᵀ + b for nn.Linear `prefix`.
  std::string linear(const std::string& x, const std::string& prefix) {
    const std::string weight = prefix + ".weight";
    const std::string name = module_name(prefix);
    const std::vector<int64_t>& shape = layout_.at(weight).shape;  // (out, in)
    const int64_t out = shape[0], in = shape[1];
    std::string y;
    if (int8_ && is_encoder_linear_weight(weight)) {
      const auto& xq = quantized_input(x, name);
      const Int8Weight w = int8_weight(weight);
      // u8 codes q + 128 with zero point 128: the same int8 weights, which ONNX Runtime multiplies
      // without the int16 saturation of its u8 × s8 kernels on CPUs without VNNI.
      std::vector<uint8_t> codes(w.q.size());
      for (size_t i = 0; i < codes.size(); ++i) codes[i] = uint8_t(int(w.q[i]) + 128);
      const std::string wq = g_.initializer(
          hf(weight) + "_quantized", TensorProto::UINT8, {in, out},
          std::as_bytes(
              std::span<const uint8_t>(transposed(std::span<const uint8_t>(codes), out, in))));
      const std::string ws = g_.floats(hf(weight) + "_scale", {out}, w.scales);
      const std::string acc = g_.node("MatMulInteger", name + "/MatMulInteger",
                                      {xq[0], wq, xq[2], weight_zero_point()});
      const std::string acc_f =
          g_.node("Cast", name + "/Cast", {acc}, {{"to", int64_t{TensorProto::FLOAT}}});
      const std::string scales = g_.node("Mul", name + "/Scales", {xq[1], ws});
      y = g_.node("Mul", name + "/MatMul", {acc_f, scales});
    } else {
      const std::vector<float> w = float_values(weight);
      y = g_.node("MatMul", name + "/MatMul",
                  {x, g_.floats(hf(weight) + ".transposed", {in, out},
                                transposed(std::span<const float>(w), out, in))});
    }
    return g_.node("Add", name + "/Add", {y, float_tensor(prefix + ".bias")});
  }

  std::string weight_zero_point() {
    if (weight_zero_point_.empty()) {
      const uint8_t zero = 128;
      weight_zero_point_ = g_.initializer("weight_zero_point", TensorProto::UINT8, {},
                                          std::as_bytes(std::span<const uint8_t>(&zero, 1)));
    }
    return weight_zero_point_;
  }

  std::string layer_norm(const std::string& x, const std::string& prefix) {
    return g_.node("LayerNormalization", module_name(prefix) + "/LayerNormalization",
                   {x, float_tensor(prefix + ".weight"), float_tensor(prefix + ".bias")},
                   {{"axis", int64_t{-1}}, {"epsilon", float(config_.layer_norm_eps)}});
  }

  // (1 - mask) · float_min, (batch, 1, 1, sequence): HF's extended attention mask.
  std::string additive_mask() {
    const std::string m1 =
        g_.node("Unsqueeze", "/mask/Unsqueeze", {"attention_mask", shape("axis_1", {1})});
    const std::string m2 = g_.node("Unsqueeze", "/mask/Unsqueeze_1", {m1, shape("axis_2", {2})});
    const std::string mf =
        g_.node("Cast", "/mask/Cast", {m2}, {{"to", int64_t{TensorProto::FLOAT}}});
    const std::string inverted = g_.node("Sub", "/mask/Sub", {one_, mf});
    return g_.node("Mul", "/mask/Mul",
                   {inverted, g_.scalar("float_min", std::numeric_limits<float>::lowest())});
  }

  std::string embeddings() {
    const std::string e = "bert.embeddings.";
    const std::string word = e + "word_embeddings.weight";
    std::string x;
    if (int8_) {
      const Int8Weight w = int8_weight(word);
      const std::vector<int64_t>& shape = layout_.at(word).shape;
      const std::string table = g_.initializer(hf(word) + "_quantized", TensorProto::INT8, shape,
                                               std::as_bytes(std::span<const int8_t>(w.q)));
      const std::string scales = g_.floats(hf(word) + "_scale", {shape[0], 1}, w.scales);
      const std::string q = g_.node("Gather", hf(word) + "/Gather", {table, "input_ids"});
      const std::string s = g_.node("Gather", hf(word) + "/GatherScale", {scales, "input_ids"});
      x = g_.node(
          "Mul", hf(word) + "/Dequantize",
          {g_.node("Cast", hf(word) + "/Cast", {q}, {{"to", int64_t{TensorProto::FLOAT}}}), s});
    } else {
      x = g_.node("Gather", hf(word) + "/Gather", {float_tensor(word), "input_ids"});
    }
    if (config_.has_token_types()) {
      const std::string types = e + "token_type_embeddings.weight";
      x = g_.node(
          "Add", hf(types) + "/Add",
          {x, g_.node("Gather", hf(types) + "/Gather", {float_tensor(types), "token_type_ids"})});
    }
    const std::string positions = e + "position_embeddings.weight";
    const std::string length = g_.node("Shape", "/embeddings/SequenceLength", {"input_ids"},
                                       {{"start", int64_t{1}}, {"end", int64_t{2}}});
    const std::string rows =
        g_.node("Slice", hf(positions) + "/Slice",
                {float_tensor(positions), shape("zero", {0}), length, shape("axis_0", {0})});
    x = g_.node("Add", hf(positions) + "/Add", {x, rows});
    return layer_norm(x, e + "LayerNorm");
  }

  // (batch, sequence, hidden) → (batch, heads, sequence, head), or (batch, heads, head,
  // sequence) for the keys.
  std::string split_heads(const std::string& x, const std::string& name, bool keys) {
    const std::string reshaped = g_.node("Reshape", name + "/Reshape", {x, heads_shape_});
    const std::vector<int64_t> perm =
        keys ? std::vector<int64_t>{0, 2, 3, 1} : std::vector<int64_t>{0, 2, 1, 3};
    return g_.node("Transpose", name + "/Transpose", {reshaped}, {{"perm", perm}});
  }

  std::string gelu(const std::string& x, const std::string& name) {
    const std::string erf =
        g_.node("Erf", name + "/Erf", {g_.node("Div", name + "/Div", {x, sqrt2_})});
    const std::string product =
        g_.node("Mul", name + "/Mul", {x, g_.node("Add", name + "/Add", {erf, one_})});
    return g_.node("Mul", name + "/Mul_1", {product, half_});
  }

  std::string encoder_layer(const std::string& x, int64_t l, const std::string& mask) {
    const std::string p = cat("bert.encoder.layer.", l, ".");
    // "bert.encoder.layer.N.attention" / "distilbert.transformer.layer.N.attention"
    const std::string query = module_name(p + "attention.self.query");
    const std::string attention = query.substr(0, query.find(".attention.") + 10);
    auto heads = [&](const std::string& projection, bool keys) {
      const std::string prefix = p + "attention.self." + projection;
      return split_heads(linear(x, prefix), module_name(prefix), keys);
    };
    const std::string q = heads("query", false), k = heads("key", true), v = heads("value", false);
    const std::string scores = g_.node(
        "Div", attention + "/Div", {g_.node("MatMul", attention + "/MatMul", {q, k}), sqrt_head_});
    const std::string probabilities =
        g_.node("Softmax", attention + "/Softmax",
                {g_.node("Add", attention + "/AddMask", {scores, mask})}, {{"axis", int64_t{3}}});
    const std::string context =
        g_.node("Reshape", attention + "/Reshape",
                {g_.node("Transpose", attention + "/Transpose",
                         {g_.node("MatMul", attention + "/MatMul_1", {probabilities, v})},
                         {{"perm", std::vector<int64_t>{0, 2, 1, 3}}}),
                 hidden_shape_});
    const std::string attended = layer_norm(
        g_.node("Add", attention + "/Residual", {linear(context, p + "attention.output.dense"), x}),
        p + "attention.output.LayerNorm");
    const std::string hidden = gelu(linear(attended, p + "intermediate.dense"),
                                    module_name(p + "intermediate.dense") + "/Gelu");
    return layer_norm(g_.node("Add", module_name(p + "output.dense") + "/Residual",
                              {linear(hidden, p + "output.dense"), attended}),
                      p + "output.LayerNorm");
  }

  // logits = classifier(tanh(pooler(x[:, 0]))) for BERT, classifier(relu(pre_classifier(...)))
  // for DistilBERT.
  void head(const std::string& x) {
    const std::string cls = g_.node("Gather", "/head/FirstToken",
                                    {x, g_.scalar_int64("zero_index", 0)}, {{"axis", int64_t{1}}});
    auto gemm = [&](const std::string& input, const std::string& prefix,
                    const std::string& output) {
      return g_.node("Gemm", module_name(prefix) + "/Gemm",
                     {input, float_tensor(prefix + ".weight"), float_tensor(prefix + ".bias")},
                     {{"transB", int64_t{1}}}, output);
    };
    const std::string dense = gemm(cls, "bert.pooler.dense", "");
    const std::string pooled = config_.model_type == ModelType::bert
                                   ? g_.node("Tanh", "/head/Tanh", {dense})
                                   : g_.node("Relu", "/head/Relu", {dense});
    gemm(pooled, "classifier", "logits");
  }

  OnnxGraph g_;
  const BertConfig& config_;
  const ParameterLayout layout_;
  const ModelTensors& weights_;
  const bool int8_;
  std::map<std::string, std::vector<std::string>> quantized_inputs_;
  std::string one_, half_, sqrt2_, sqrt_head_, heads_shape_, hidden_shape_, weight_zero_point_;
};

}  // namespace

void write_onnx_model(const std::filesystem::path& path, const BertConfig& config,
                      const ModelTensors& weights, Precision precision) {
  if (precision == Precision::bf16)
    fail("ONNX export is fp32 or int8 (ONNX Runtime has no bf16 CPU kernels for BERT)");
  validate(config, path.string());
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("greenbert");
  model.set_producer_version(GREENBERT_VERSION);
  model.set_doc_string(cat(model_type_name(config.model_type), " multi-label classifier, ",
                           precision_name(precision), "; logits before the sigmoid"));
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  nlohmann::ordered_json id2label = nlohmann::ordered_json::object();
  for (size_t i = 0; i < config.labels.size(); ++i) id2label[std::to_string(i)] = config.labels[i];
  auto* labels = model.add_metadata_props();
  labels->set_key("id2label");
  labels->set_value(id2label.dump());
  auto* graph = model.mutable_graph();
  graph->set_name(cat("greenbert-", model_type_name(config.model_type)));
  BertGraph(*graph, config, weights, precision == Precision::int8).build();
  check_and_save(model, path);
}

}  // namespace greenbert
