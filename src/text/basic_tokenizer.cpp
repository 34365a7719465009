#include "text/basic_tokenizer.h"

#include <utf8proc.h>

#include <array>

#include "text/unicode_rules.h"

namespace greenbert {

namespace {

enum AsciiClass : uint8_t { kWordChar, kSpace, kPunct, kDrop };

// The rules of unicode_rules.h evaluated once for ASCII, the bulk of real text.
const std::array<uint8_t, 128>& ascii_classes() {
  static const std::array<uint8_t, 128> table = [] {
    std::array<uint8_t, 128> t{};
    for (char32_t c = 0; c < 128; ++c) {
      t[c] = is_removed_by_cleanup(c) ? kDrop
             : is_white_space(c)      ? kSpace
             : is_punctuation(c)      ? kPunct
                                      : kWordChar;
    }
    return t;
  }();
  return table;
}

class Splitter {
 public:
  Splitter(const NormalizerOptions& options, WordList& words) : options_(options), words_(words) {}

  void run(std::string_view text) {
    const auto& classes = ascii_classes();
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    size_t i = 0;
    while (i < n) {
      const unsigned char b = p[i];
      if (b < 0x80) {
        ++i;
        const uint8_t cls = classes[b];
        if (cls == kDrop) continue;  // removed before NFD: does not break a run of marks
        if (!words_.pending.empty()) flush_pending();
        if (cls == kWordChar) {
          words_.chars.push_back(
              static_cast<char>(options_.lowercase && b >= 'A' && b <= 'Z' ? b + 32 : b));
        } else if (cls == kSpace) {
          end_word();
        } else {
          end_word();
          words_.chars.push_back(static_cast<char>(b));
          end_word();
        }
        continue;
      }
      utf8proc_int32_t decoded = 0;
      auto length = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(n - i), &decoded);
      if (length <= 0) {
        decoded = 0xFFFD;
        length = 1;
      }
      i += static_cast<size_t>(length);
      const auto c = static_cast<char32_t>(decoded);
      if (is_removed_by_cleanup(c)) continue;
      if (is_white_space(c)) {
        flush_pending();
        end_word();
      } else if (options_.split_cjk && is_cjk_ideograph(c)) {
        flush_pending();
        end_word();
        push_pending(c);
        flush_pending();
        end_word();
      } else {
        push_pending(c);
      }
    }
    flush_pending();
    end_word();
  }

 private:
  void end_word() {
    const size_t begin = words_.ends.empty() ? 0 : words_.ends.back();
    if (words_.chars.size() > begin)
      words_.ends.push_back(static_cast<uint32_t>(words_.chars.size()));
  }

  void append_utf8(char32_t c) {
    utf8proc_uint8_t bytes[4];
    auto length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), bytes);
    words_.chars.append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(length));
  }

  // A normalized code point through the pre-tokenizer.
  void emit(char32_t c) {
    if (is_white_space(c)) {
      end_word();
    } else if (is_punctuation(c)) {
      end_word();
      append_utf8(c);
      end_word();
    } else {
      append_utf8(c);
    }
  }

  void push_pending(char32_t c) {
    if (!options_.strip_accents) {
      words_.pending.push_back(c);
      return;
    }
    char32_t decomposed[kMaxDecomposition];
    const int count = canonical_decomposition(c, decomposed);
    words_.pending.insert(words_.pending.end(), decomposed, decomposed + count);
  }

  // NFD's canonical ordering: a stable sort of each run of non-starters by combining class.
  // Pending code points are flushed only at starters (ASCII, whitespace, CJK), so runs never
  // straddle two flushes.
  void canonical_order() {
    auto& cps = words_.pending;
    for (size_t i = 1; i < cps.size(); ++i) {
      const int ccc = combining_class(cps[i]);
      if (ccc == 0) continue;
      size_t j = i;
      while (j > 0) {
        const int previous = combining_class(cps[j - 1]);
        if (previous == 0 || previous <= ccc) break;
        std::swap(cps[j - 1], cps[j]);
        --j;
      }
    }
  }

  void flush_pending() {
    if (words_.pending.empty()) return;
    if (options_.strip_accents) canonical_order();
    for (char32_t c : words_.pending) {
      if (options_.strip_accents && is_nonspacing_mark(c)) continue;
      if (!options_.lowercase) {
        emit(c);
        continue;
      }
      char32_t lower[2];
      const int count = to_lowercase(c, lower);
      for (int k = 0; k < count; ++k) emit(lower[k]);
    }
    words_.pending.clear();
  }

  const NormalizerOptions& options_;
  WordList& words_;
};

}  // namespace

void basic_tokenize(std::string_view text, const NormalizerOptions& options, WordList& words) {
  Splitter(options, words).run(text);
}

}  // namespace greenbert
