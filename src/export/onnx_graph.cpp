#include "export/onnx_graph.h"

#include <limits>

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include "core/atomic_file.h"
#include "core/error.h"

namespace greenbert {
namespace {

void set_type(onnx::ValueInfoProto& value, const std::string& name,
              onnx::TensorProto::DataType type, const std::vector<OnnxDim>& dims) {
  value.set_name(name);
  auto* tensor = value.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(type);
  auto* shape = tensor->mutable_shape();
  for (const OnnxDim& dim : dims) {
    auto* d = shape->add_dim();
    if (const auto* symbol = std::get_if<std::string>(&dim))
      d->set_dim_param(*symbol);
    else
      d->set_dim_value(std::get<int64_t>(dim));
  }
}

}  // namespace

void OnnxGraph::input(const std::string& name, onnx::TensorProto::DataType type,
                      const std::vector<OnnxDim>& dims) {
  set_type(*graph_.add_input(), name, type, dims);
}

void OnnxGraph::output(const std::string& name, onnx::TensorProto::DataType type,
                       const std::vector<OnnxDim>& dims) {
  set_type(*graph_.add_output(), name, type, dims);
}

std::string OnnxGraph::initializer(const std::string& name, onnx::TensorProto::DataType type,
                                   const std::vector<int64_t>& dims,
                                   std::span<const std::byte> bytes) {
  auto* tensor = graph_.add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(type);
  for (int64_t d : dims) tensor->add_dims(d);
  tensor->set_raw_data(bytes.data(), bytes.size());
  return name;
}

std::string OnnxGraph::floats(const std::string& name, const std::vector<int64_t>& dims,
                              std::span<const float> values) {
  return initializer(name, onnx::TensorProto::FLOAT, dims, std::as_bytes(values));
}

std::string OnnxGraph::int64s(const std::string& name, const std::vector<int64_t>& dims,
                              std::span<const int64_t> values) {
  return initializer(name, onnx::TensorProto::INT64, dims, std::as_bytes(values));
}

std::string OnnxGraph::scalar(const std::string& name, float value) {
  return floats(name, {}, {&value, 1});
}

std::string OnnxGraph::scalar_int64(const std::string& name, int64_t value) {
  return int64s(name, {}, {&value, 1});
}

std::vector<std::string> OnnxGraph::node_outputs(const std::string& op, const std::string& name,
                                                 const std::vector<std::string>& inputs,
                                                 int outputs,
                                                 const std::vector<OnnxAttribute>& attributes) {
  auto* node = graph_.add_node();
  node->set_op_type(op);
  node->set_name(name);
  for (const std::string& input : inputs) node->add_input(input);
  std::vector<std::string> names;
  for (int i = 0; i < outputs; ++i) {
    names.push_back(name + "_output_" + std::to_string(i));
    node->add_output(names.back());
  }
  for (const OnnxAttribute& a : attributes) {
    auto* attribute = node->add_attribute();
    attribute->set_name(a.name);
    if (const auto* i = std::get_if<int64_t>(&a.value)) {
      attribute->set_type(onnx::AttributeProto::INT);
      attribute->set_i(*i);
    } else if (const auto* f = std::get_if<float>(&a.value)) {
      attribute->set_type(onnx::AttributeProto::FLOAT);
      attribute->set_f(*f);
    } else {
      attribute->set_type(onnx::AttributeProto::INTS);
      for (int64_t v : std::get<std::vector<int64_t>>(a.value)) attribute->add_ints(v);
    }
  }
  return names;
}

std::string OnnxGraph::node(const std::string& op, const std::string& name,
                            const std::vector<std::string>& inputs,
                            const std::vector<OnnxAttribute>& attributes,
                            const std::string& output) {
  const std::string made = node_outputs(op, name, inputs, 1, attributes)[0];
  if (output.empty()) return made;
  graph_.mutable_node(graph_.node_size() - 1)->set_output(0, output);
  return output;
}

void check_and_save(onnx::ModelProto& model, const std::filesystem::path& path) {
  // protobuf cannot serialize a message of 2 GiB or more (ONNX's external data would be needed).
  const size_t bytes = model.ByteSizeLong();
  if (bytes >= static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    fail(path.string(), ": the model is ", bytes, " bytes; ONNX files stop at 2 GiB");
  try {
    onnx::checker::check_model(model);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(true, 1, true));
  } catch (const std::exception& e) {
    fail(path.string(), ": the ONNX checker refused the graph: ", e.what());
  }
  write_file_atomically(path, [&](std::ostream& out) {
    if (!model.SerializeToOstream(&out)) fail(path.string(), ": cannot serialize the ONNX model");
  });
}

}  // namespace greenbert
