#include "io/zip.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <set>

#include "core/error.h"

namespace greenbert {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndRecord = 0x06054b50;
constexpr uint32_t kZip64EndRecord = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr size_t kEndRecordSize = 22;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kZip64EndRecordSize = 56;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;
constexpr uint16_t kFlagEncrypted = 0x0001;
constexpr uint16_t kFlagDataDescriptor = 0x0008;

// Slice-by-8 tables: t[0] is the classic byte table, t[k] advances k more zero bytes.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ 0xedb88320u : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k) {
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xffu];
  }
  return t;
}
constexpr CrcTables kCrcTables = make_crc_tables();

std::string method_name(uint16_t method) {
  switch (method) {
    case 8:
      return "deflate";
    case 9:
      return "deflate64";
    case 12:
      return "bzip2";
    case 14:
      return "lzma";
    case 93:
      return "zstd";
    case 95:
      return "xz";
    default:
      return cat("method ", method);
  }
}

struct CentralEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t size = 0;
  uint64_t local_offset = 0;
  std::span<const std::byte> data;
};

class ZipParser {
 public:
  ZipParser(std::span<const std::byte> file, const std::string& label)
      : file_(file), label_(label) {}

  std::vector<ZipEntry> parse() {
    read_end_records();
    read_central_directory();
    for (auto& entry : entries_) read_local_header(entry);
    check_no_overlap();
    std::vector<ZipEntry> out;
    out.reserve(entries_.size());
    for (auto& entry : entries_) out.push_back({std::move(entry.name), entry.data});
    return out;
  }

 private:
  template <typename... Args>
  [[noreturn]] void error(const Args&... args) const {
    fail(label_, ": ZIP: ", args...);
  }
  template <typename... Args>
  [[noreturn]] void entry_error(const CentralEntry& entry, const Args&... args) const {
    fail(label_, ": ZIP: entry '", entry.name, "': ", args...);
  }

  // Little-endian field of `width` bytes at `offset`, which the caller has bounds-checked.
  uint64_t field(uint64_t offset, size_t width) const {
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i) value |= static_cast<uint64_t>(file_[offset + i]) << (8 * i);
    return value;
  }
  uint16_t u16(uint64_t offset) const { return static_cast<uint16_t>(field(offset, 2)); }
  uint32_t u32(uint64_t offset) const { return static_cast<uint32_t>(field(offset, 4)); }
  uint64_t u64(uint64_t offset) const { return field(offset, 8); }

  void read_end_records() {
    if (file_.size() < kEndRecordSize)
      error("file too short for an end-of-central-directory record");
    // The end record sits before a comment of at most 64 KiB, whose length it states.
    size_t lowest =
        file_.size() > kEndRecordSize + 0xffff ? file_.size() - kEndRecordSize - 0xffff : 0;
    size_t pos = file_.size() - kEndRecordSize;
    while (!(u32(pos) == kEndRecord && pos + kEndRecordSize + u16(pos + 20) == file_.size())) {
      if (pos == lowest)
        error("no end-of-central-directory record (truncated, or not a ZIP archive)");
      --pos;
    }
    uint64_t disk = u16(pos + 4), directory_disk = u16(pos + 6);
    uint64_t disk_entries = u16(pos + 8);
    entry_count_ = u16(pos + 10);
    directory_size_ = u32(pos + 12);
    directory_offset_ = u32(pos + 16);
    records_start_ = pos;
    if (pos >= kZip64LocatorSize && u32(pos - kZip64LocatorSize) == kZip64Locator) {
      uint64_t locator = pos - kZip64LocatorSize;
      uint64_t record = u64(locator + 8);
      if (u32(locator + 4) != 0 || u32(locator + 16) > 1)
        error("multi-disk archives are not supported");
      if (record > locator || locator - record < kZip64EndRecordSize ||
          u32(record) != kZip64EndRecord) {
        error("ZIP64 end-of-central-directory record missing or out of bounds");
      }
      // The 16/32-bit fields are either saturated or must agree with their 64-bit versions.
      auto merge = [&](uint64_t narrow, uint64_t saturated, uint64_t wide, const char* what) {
        if (narrow != saturated && narrow != wide) {
          error("end records disagree on the ", what, " (", narrow, " vs ", wide, ")");
        }
        return wide;
      };
      disk = merge(disk, 0xffff, u32(record + 16), "disk number");
      directory_disk = merge(directory_disk, 0xffff, u32(record + 20), "directory disk");
      disk_entries = merge(disk_entries, 0xffff, u64(record + 24), "entry count on this disk");
      entry_count_ = merge(entry_count_, 0xffff, u64(record + 32), "entry count");
      directory_size_ = merge(directory_size_, 0xffffffff, u64(record + 40), "directory size");
      directory_offset_ =
          merge(directory_offset_, 0xffffffff, u64(record + 48), "directory offset");
      records_start_ = record;
    } else if (entry_count_ == 0xffff || directory_size_ == 0xffffffff ||
               directory_offset_ == 0xffffffff) {
      error("ZIP64 archive without its ZIP64 end record");
    }
    if (disk != 0 || directory_disk != 0 || disk_entries != entry_count_) {
      error("multi-disk archives are not supported");
    }
    if (directory_offset_ > records_start_ ||
        directory_size_ != records_start_ - directory_offset_) {
      error("central directory (", directory_size_, " bytes at ", directory_offset_,
            ") does not end where the end record starts (", records_start_, ")");
    }
    if (entry_count_ > directory_size_ / kCentralHeaderSize) {
      error(entry_count_, " entries cannot fit in a central directory of ", directory_size_,
            " bytes");
    }
  }

  void read_central_directory() {
    uint64_t pos = directory_offset_;
    uint64_t end = directory_offset_ + directory_size_;
    std::set<std::string> names;
    entries_.reserve(entry_count_);
    for (uint64_t i = 0; i < entry_count_; ++i) {
      if (end - pos < kCentralHeaderSize) error("central directory entry ", i, " is truncated");
      if (u32(pos) != kCentralHeader) error("central directory entry ", i, " has a bad signature");
      CentralEntry entry;
      entry.flags = u16(pos + 8);
      entry.method = u16(pos + 10);
      entry.crc = u32(pos + 16);
      uint64_t compressed = u32(pos + 20);
      entry.size = u32(pos + 24);
      uint64_t name_size = u16(pos + 28), extra_size = u16(pos + 30), comment_size = u16(pos + 32);
      uint64_t start_disk = u16(pos + 34);
      entry.local_offset = u32(pos + 42);
      uint64_t name_at = pos + kCentralHeaderSize;
      if (end - name_at < name_size + extra_size + comment_size) {
        error("central directory entry ", i, " runs past the directory");
      }
      entry.name.assign(reinterpret_cast<const char*>(file_.data() + name_at), name_size);
      if (entry.name.empty() || entry.name.find('\0') != std::string::npos) {
        error("central directory entry ", i, " has an empty or invalid name");
      }
      read_zip64_extra(entry, compressed, start_disk,
                       file_.subspan(name_at + name_size, extra_size));
      if (entry.flags & kFlagEncrypted) entry_error(entry, "encrypted entries are not supported");
      if (entry.method != 0) {
        entry_error(entry, "compressed (", method_name(entry.method),
                    "); only stored entries are supported, as torch.save writes them");
      }
      if (compressed != entry.size) {
        entry_error(entry, "stored entry with compressed size ", compressed, " != size ",
                    entry.size);
      }
      if (start_disk != 0) entry_error(entry, "multi-disk archives are not supported");
      if (!names.insert(entry.name).second) entry_error(entry, "duplicate entry name");
      entries_.push_back(std::move(entry));
      pos = name_at + name_size + extra_size + comment_size;
    }
    if (pos != end) error(end - pos, " unexplained bytes after the last central directory entry");
  }

  // ZIP64 extended information: 64-bit values for each saturated 32/16-bit field, in order.
  void read_zip64_extra(CentralEntry& entry, uint64_t& compressed, uint64_t& start_disk,
                        std::span<const std::byte> extra) {
    bool need = entry.size == 0xffffffff || compressed == 0xffffffff ||
                entry.local_offset == 0xffffffff || start_disk == 0xffff;
    if (!need) return;
    auto le = [&](size_t at, size_t width) {
      uint64_t value = 0;
      for (size_t i = 0; i < width; ++i) value |= static_cast<uint64_t>(extra[at + i]) << (8 * i);
      return value;
    };
    for (size_t at = 0; extra.size() - at >= 4;) {
      size_t id = le(at, 2), size = le(at + 2, 2);
      if (extra.size() - at - 4 < size) break;
      if (id == kZip64ExtraId) {
        size_t field_at = at + 4, field_end = field_at + size;
        auto next = [&](uint64_t& value, size_t width) {
          if (field_end - field_at < width) entry_error(entry, "ZIP64 extra field is too short");
          value = le(field_at, width);
          field_at += width;
        };
        if (entry.size == 0xffffffff) next(entry.size, 8);
        if (compressed == 0xffffffff) next(compressed, 8);
        if (entry.local_offset == 0xffffffff) next(entry.local_offset, 8);
        if (start_disk == 0xffff) next(start_disk, 4);
        return;
      }
      at += 4 + size;
    }
    entry_error(entry, "ZIP64 sizes announced but no ZIP64 extra field");
  }

  void read_local_header(CentralEntry& entry) {
    uint64_t at = entry.local_offset;
    if (at > directory_offset_ || directory_offset_ - at < kLocalHeaderSize) {
      entry_error(entry, "local header at ", at, " is outside the archive's data");
    }
    if (u32(at) != kLocalHeader) entry_error(entry, "bad local header signature");
    uint16_t flags = u16(at + 6);
    uint16_t method = u16(at + 8);
    uint64_t name_size = u16(at + 26), extra_size = u16(at + 28);
    uint64_t name_at = at + kLocalHeaderSize;
    if (directory_offset_ - name_at < name_size + extra_size)
      entry_error(entry, "local header is truncated");
    std::string_view local_name(reinterpret_cast<const char*>(file_.data() + name_at), name_size);
    if (local_name != entry.name) {
      entry_error(entry, "local header names it '", local_name, "'");
    }
    if (method != entry.method)
      entry_error(entry, "local and central headers disagree on the method");
    if (!(flags & kFlagDataDescriptor)) {
      // Without a data descriptor the local header repeats CRC and sizes (0xffffffff: ZIP64).
      uint32_t crc = u32(at + 14);
      uint64_t compressed = u32(at + 18), size = u32(at + 22);
      bool sizes_ok = (compressed == 0xffffffff && size == 0xffffffff) ||
                      (compressed == entry.size && size == entry.size);
      if (crc != entry.crc || !sizes_ok) {
        entry_error(entry, "local and central headers disagree on CRC or size");
      }
    }
    uint64_t data_at = name_at + name_size + extra_size;
    if (directory_offset_ - data_at < entry.size) {
      entry_error(entry, entry.size, " bytes at ", data_at, " run past the archive's data");
    }
    entry.data = file_.subspan(data_at, entry.size);
    uint32_t actual = crc32(entry.data);
    if (actual != entry.crc) {
      entry_error(entry, "CRC-32 mismatch (stored ", std::hex, entry.crc, ", computed ", actual,
                  "): the file is corrupt");
    }
  }

  void check_no_overlap() const {
    std::vector<const CentralEntry*> order;
    for (const auto& entry : entries_) order.push_back(&entry);
    std::sort(order.begin(), order.end(),
              [](auto* a, auto* b) { return a->local_offset < b->local_offset; });
    for (size_t i = 1; i < order.size(); ++i) {
      auto data_end = static_cast<uint64_t>(order[i - 1]->data.data() + order[i - 1]->data.size() -
                                            file_.data());
      if (order[i]->local_offset < data_end) {
        entry_error(*order[i], "overlaps entry '", order[i - 1]->name, "'");
      }
    }
  }

  std::span<const std::byte> file_;
  const std::string& label_;
  uint64_t entry_count_ = 0;
  uint64_t directory_size_ = 0;
  uint64_t directory_offset_ = 0;
  uint64_t records_start_ = 0;
  std::vector<CentralEntry> entries_;
};

}  // namespace

uint32_t crc32(std::span<const std::byte> bytes) {
  const auto& t = kCrcTables;
  uint32_t crc = 0xffffffffu;
  const std::byte* p = bytes.data();
  size_t n = bytes.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    word ^= crc;
    crc = t[7][word & 0xff] ^ t[6][(word >> 8) & 0xff] ^ t[5][(word >> 16) & 0xff] ^
          t[4][(word >> 24) & 0xff] ^ t[3][(word >> 32) & 0xff] ^ t[2][(word >> 40) & 0xff] ^
          t[1][(word >> 48) & 0xff] ^ t[0][word >> 56];
  }
  for (; n > 0; ++p, --n) crc = t[0][(crc ^ static_cast<uint32_t>(*p)) & 0xffu] ^ (crc >> 8);
  return ~crc;
}

std::vector<ZipEntry> read_zip(std::span<const std::byte> file, const std::string& label) {
  return ZipParser(file, label).parse();
}

}  // namespace greenbert
