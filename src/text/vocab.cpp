#include "text/vocab.h"

#include <utf8proc.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/atomic_file.h"
#include "core/error.h"

namespace greenbert {

namespace {

constexpr std::string_view kContinuationPrefix = "##";

// A fast 64-bit multiply-xorshift hash over 8-byte chunks; pieces are short.
uint32_t hash_piece(std::string_view piece, bool continuation) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h =
      (piece.size() + 1) * 0xFF51AFD7ED558CCDull ^ (continuation ? 0xC2B2AE3D27D4EB4Full : 0);
  const char* p = piece.data();
  size_t n = piece.size();
  auto mix = [&](uint64_t v) {
    h = (h ^ v) * kMul;
    h ^= h >> 29;
  };
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    mix(v);
  }
  if (n > 0) {
    uint64_t v = 0;
    std::memcpy(&v, p, n);
    mix(v);
  }
  return static_cast<uint32_t>(h ^ (h >> 32));
}

constexpr uint32_t kContinuationBit = 0x80000000u;

// memcmp without the library call: keys are short.
bool same_bytes(const char* a, const char* b, size_t n) {
  for (; n >= 8; a += 8, b += 8, n -= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
  }
  for (; n > 0; ++a, ++b, --n) {
    if (*a != *b) return false;
  }
  return true;
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t c = 0;
    auto length = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &c);
    if (length <= 0) return false;
    i += static_cast<size_t>(length);
  }
  return true;
}

}  // namespace

Vocab Vocab::load(const std::filesystem::path& vocab_txt) {
  // read_file would try to read a directory as a huge file.
  if (std::filesystem::is_directory(vocab_txt)) fail(vocab_txt.string(), ": is a directory");
  const std::string contents = read_file(vocab_txt);
  if (contents.empty()) fail(vocab_txt.string(), ": empty vocabulary");
  // HF keeps a byte order mark as part of the first token, which then never matches.
  if (contents.starts_with("\xEF\xBB\xBF")) {
    fail(vocab_txt.string(), ": starts with a UTF-8 byte order mark; remove it");
  }
  std::vector<std::string> tokens;
  size_t begin = 0;
  while (begin < contents.size()) {
    size_t end = contents.find('\n', begin);
    if (end == std::string::npos) end = contents.size();
    std::string_view line(contents.data() + begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!valid_utf8(line)) {
      fail(vocab_txt.string(), ":", tokens.size() + 1, ": token is not valid UTF-8");
    }
    tokens.emplace_back(line);
    begin = end + 1;
  }
  return from_tokens(std::move(tokens), vocab_txt.string());
}

Vocab Vocab::from_tokens(std::vector<std::string> tokens, std::string source) {
  if (tokens.empty()) fail(source, ": empty vocabulary");
  if (tokens.size() >= static_cast<size_t>(INT32_MAX)) fail(source, ": too many tokens");
  Vocab vocab;
  vocab.source_ = std::move(source);
  vocab.offsets_.reserve(tokens.size() + 1);
  vocab.offsets_.push_back(0);
  for (const auto& token : tokens) {
    vocab.text_ += token;
    if (vocab.text_.size() >= kContinuationBit) fail(vocab.source_, ": vocabulary text too large");
    vocab.offsets_.push_back(static_cast<uint32_t>(vocab.text_.size()));
  }
  vocab.build_index();
  return vocab;
}

std::string_view Vocab::token(int32_t id) const {
  if (id < 0 || id >= size()) fail(source_, ": token id ", id, " out of range [0, ", size(), ")");
  return std::string_view(text_).substr(offsets_[id], offsets_[id + 1] - offsets_[id]);
}

std::string_view Vocab::key_of(int32_t id, bool& continuation) const {
  std::string_view text = token(id);
  continuation = text.starts_with(kContinuationPrefix);
  if (continuation) text.remove_prefix(kContinuationPrefix.size());
  return text;
}

void Vocab::build_index() {
  const size_t capacity = std::bit_ceil(static_cast<size_t>(size()) * 2 + 16);
  slots_.assign(capacity, Slot{});
  const size_t mask = capacity - 1;
  for (int32_t id = 0; id < size(); ++id) {
    bool continuation = false;
    std::string_view key = key_of(id, continuation);
    auto& longest = continuation ? max_continuation_bytes_ : max_word_start_bytes_;
    longest = std::max(longest, key.size());
    const uint32_t hash = hash_piece(key, continuation);
    const uint32_t length =
        static_cast<uint32_t>(key.size()) | (continuation ? kContinuationBit : 0);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id < 0) {
        slot = Slot{hash, id, static_cast<uint32_t>(key.data() - text_.data()), length};
        break;
      }
      if (slot.hash == hash && slot.key_length == length &&
          key == std::string_view(text_).substr(slot.key_offset, key.size())) {
        slot.id = id;  // a repeated token resolves to its last line
        break;
      }
    }
  }
}

int32_t Vocab::piece_id(std::string_view piece, bool continuation) const {
  if (!continuation && piece.starts_with(kContinuationPrefix)) {
    piece.remove_prefix(kContinuationPrefix.size());
    continuation = true;
  }
  const uint32_t hash = hash_piece(piece, continuation);
  const uint32_t length =
      static_cast<uint32_t>(piece.size()) | (continuation ? kContinuationBit : 0);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id < 0) return -1;
    if (slot.hash == hash && slot.key_length == length &&
        same_bytes(text_.data() + slot.key_offset, piece.data(), piece.size())) {
      return slot.id;
    }
  }
}

}  // namespace greenbert
