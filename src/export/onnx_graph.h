#pragma once
// A small builder over ONNX's protobuf classes (Debian's libonnx-dev): graph inputs and outputs,
// initializers from flat buffers, and nodes whose outputs are named after them. Only the
// exporter's .cpp files include this (the protobuf headers are heavy).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <onnx/onnx_pb.h>

namespace greenbert {

// One dimension of a graph input or output: a name for a dynamic axis, or a size.
using OnnxDim = std::variant<std::string, int64_t>;

struct OnnxAttribute {
  std::string name;
  std::variant<int64_t, float, std::vector<int64_t>> value;
};

class OnnxGraph {
 public:
  explicit OnnxGraph(onnx::GraphProto& graph) : graph_(graph) {}

  void input(const std::string& name, onnx::TensorProto::DataType type,
             const std::vector<OnnxDim>& dims);
  void output(const std::string& name, onnx::TensorProto::DataType type,
              const std::vector<OnnxDim>& dims);

  // Initializers from little-endian values; each returns its name.
  std::string initializer(const std::string& name, onnx::TensorProto::DataType type,
                          const std::vector<int64_t>& dims, std::span<const std::byte> bytes);
  std::string floats(const std::string& name, const std::vector<int64_t>& dims,
                     std::span<const float> values);
  std::string int64s(const std::string& name, const std::vector<int64_t>& dims,
                     std::span<const int64_t> values);
  std::string scalar(const std::string& name, float value);
  std::string scalar_int64(const std::string& name, int64_t value);

  // A node `name` of operator `op` (default domain); returns the names of its `outputs` outputs,
  // "<name>_output_<i>".
  std::vector<std::string> node_outputs(const std::string& op, const std::string& name,
                                        const std::vector<std::string>& inputs, int outputs,
                                        const std::vector<OnnxAttribute>& attributes = {});
  // The same for single-output nodes; `output` names the output (a graph output) instead.
  std::string node(const std::string& op, const std::string& name,
                   const std::vector<std::string>& inputs,
                   const std::vector<OnnxAttribute>& attributes = {},
                   const std::string& output = "");

 private:
  onnx::GraphProto& graph_;
};

// Runs ONNX's checker and strict shape inference (which fills value_info) on `model`, then
// writes it atomically. Throws greenbert::Error naming `path` with the checker's message.
void check_and_save(onnx::ModelProto& model, const std::filesystem::path& path);

}  // namespace greenbert
