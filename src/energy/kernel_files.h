#pragma once
// Reading the small text attributes the kernel exposes under /sys and /proc. Their size is not
// known up front (sysfs reports 4096 for every file), so core/atomic_file.h's read_file does not
// fit; and a missing or unreadable attribute is an expected answer here ("this machine has no
// RAPL"), not an error, so the result carries the reason instead of throwing.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace greenbert {

struct KernelAttribute {
  std::optional<std::string> text;  // contents with trailing whitespace removed, if readable
  std::string error;                // why not, e.g. "Permission denied"
};

KernelAttribute read_kernel_attribute(const std::filesystem::path& path);

// "123\n" -> 123; nullopt for anything that is not a plain unsigned decimal.
std::optional<uint64_t> parse_unsigned(std::string_view text);

}  // namespace greenbert
