#pragma once
// A minimal ZIP reader for PyTorch checkpoints: torch.save writes an archive of *stored*
// (uncompressed) entries, so every entry is a slice of the mapped file. Compressed, encrypted
// and multi-disk archives are rejected by name. ZIP64 records (which torch writes even for
// small files) are understood. Every header, name, size, bound and CRC-32 is checked.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace greenbert {

struct ZipEntry {
  std::string name;
  std::span<const std::byte> data;
};

// Entries in central-directory order. Errors read "LABEL: ZIP: reason".
std::vector<ZipEntry> read_zip(std::span<const std::byte> file, const std::string& label);

// CRC-32 (ISO-HDLC, as in ZIP and gzip).
uint32_t crc32(std::span<const std::byte> bytes);

}  // namespace greenbert
