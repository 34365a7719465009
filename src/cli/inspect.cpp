// `greenbert inspect FILE`: what a checkpoint holds (tensors with dtype, shape and size,
// metadata, totals), for users and for debugging Hugging Face imports.
#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/error.h"
#include "io/tensor_file.h"

namespace greenbert::cli {
namespace {

// 1234567 -> "1,234,567"
std::string grouped(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  auto value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

void inspect(const std::string& path) {
  auto file = TensorFile::open(path);
  std::printf("file      %s\n", path.c_str());
  std::printf("format    %s\n", file.format().c_str());
  if (file.metadata().empty()) std::printf("metadata  (none)\n");
  for (const auto& [key, value] : file.metadata()) {
    std::printf("metadata  %s = %s\n", key.c_str(), value.c_str());
  }

  size_t name_width = 4, shape_width = 5;
  for (const auto& tensor : file.tensors()) {
    name_width = std::max(name_width, tensor.name.size());
    shape_width = std::max(shape_width, format_shape(tensor.view.shape).size());
  }
  auto width = [](size_t w) { return static_cast<int>(w); };
  std::printf("\n%-*s  %-5s  %-*s  %s\n", width(name_width), "name", "dtype", width(shape_width),
              "shape", "bytes");
  struct Totals {
    uint64_t tensors = 0, values = 0, bytes = 0;
  };
  std::map<std::string_view, Totals> by_dtype;
  Totals all;
  for (const auto& tensor : file.tensors()) {
    const auto& view = tensor.view;
    std::printf("%-*s  %-5s  %-*s  %s\n", width(name_width), tensor.name.c_str(),
                std::string(dtype_name(view.dtype)).c_str(), width(shape_width),
                format_shape(view.shape).c_str(), grouped(view.bytes.size()).c_str());
    for (Totals* totals : {&by_dtype[dtype_name(view.dtype)], &all}) {
      totals->tensors += 1;
      totals->values += static_cast<uint64_t>(view.numel());
      totals->bytes += view.bytes.size();
    }
  }
  std::printf("\n");
  for (const auto& [dtype, totals] : by_dtype) {
    std::printf("%-5s     %s tensors, %s values, %s bytes\n", std::string(dtype).c_str(),
                grouped(totals.tensors).c_str(), grouped(totals.values).c_str(),
                grouped(totals.bytes).c_str());
  }
  std::printf("total     %s tensors, %s values, %s bytes (%s)\n", grouped(all.tensors).c_str(),
              grouped(all.values).c_str(), grouped(all.bytes).c_str(),
              human_bytes(all.bytes).c_str());
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "inspect",
      "List the tensors (name, dtype, shape, bytes), metadata and totals of a checkpoint: "
      "safetensors, PyTorch ZIP or legacy PyTorch (pytorch_model.bin)");
  auto path = std::make_shared<std::string>();
  cmd->add_option("file", *path, "Checkpoint to inspect; its format is detected from its content")
      ->required();
  cmd->callback([path] { inspect(*path); });
}

}  // namespace greenbert::cli
