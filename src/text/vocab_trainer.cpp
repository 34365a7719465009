#include "text/vocab_trainer.h"

#include <utf8proc.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "core/atomic_file.h"
#include "core/error.h"
#include "text/wordpiece.h"

namespace greenbert {

namespace {

constexpr std::array<std::string_view, 5> kSpecialTokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]",
                                                            "[MASK]"};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename Value>
using StringMap = std::unordered_map<std::string, Value, StringHash, std::equal_to<>>;

StringMap<int64_t> count_words(std::span<const std::string> texts,
                               const NormalizerOptions& options) {
  StringMap<int64_t> counts;
  WordList words;
  for (const auto& text : texts) {
    words.clear();
    basic_tokenize(text, options, words);
    for (size_t i = 0; i < words.size(); ++i) {
      const std::string_view word = words[i];
      auto it = counts.find(word);
      if (it == counts.end()) {
        counts.emplace(word, 1);
      } else {
        ++it->second;
      }
    }
  }
  return counts;
}

std::vector<char32_t> code_points(std::string_view word) {
  std::vector<char32_t> out;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(word.data());
  for (size_t i = 0; i < word.size();) {
    utf8proc_int32_t c = 0;
    const auto length = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(word.size() - i), &c);
    i += static_cast<size_t>(std::max<utf8proc_ssize_t>(length, 1));  // words are valid UTF-8
    out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

std::string utf8(char32_t c) {
  utf8proc_uint8_t bytes[4];
  const auto length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), bytes);
  return std::string(reinterpret_cast<const char*>(bytes), static_cast<size_t>(length));
}

// The `limit` most frequent characters (ties: smaller code point), in code point order.
std::vector<char32_t> choose_alphabet(const std::vector<std::pair<std::string, int64_t>>& words,
                                      size_t limit) {
  std::unordered_map<char32_t, int64_t> counts;
  for (const auto& [word, count] : words) {
    for (char32_t c : code_points(word)) counts[c] += count;
  }
  std::vector<std::pair<char32_t, int64_t>> ranked(counts.begin(), counts.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    return x.second != y.second ? x.second > y.second : x.first < y.first;
  });
  if (ranked.size() > limit) ranked.resize(limit);
  std::vector<char32_t> alphabet;
  for (const auto& [c, count] : ranked) alphabet.push_back(c);
  std::sort(alphabet.begin(), alphabet.end());
  return alphabet;
}

// Adjacent piece pairs: their weighted count over all words and the words that (may) hold them.
class PairTable {
 public:
  struct Pair {
    int32_t a, b;
    int64_t count = 0;
    std::vector<int32_t> words;  // may hold stale or repeated entries; merging checks
    uint32_t touched_at = 0;     // merge step that last increased count
  };

  int32_t find(int32_t a, int32_t b) const {
    if (keys_.empty()) return -1;
    const uint64_t key = pack(a, b);
    for (size_t i = slot_of(key);; i = (i + 1) & mask_) {
      if (keys_[i] == key) return values_[i];
      if (keys_[i] == kEmpty) return -1;
    }
  }

  int32_t find_or_add(int32_t a, int32_t b) {
    if ((pairs.size() + 1) * 2 > keys_.size()) grow();
    const uint64_t key = pack(a, b);
    size_t i = slot_of(key);
    for (; keys_[i] != kEmpty; i = (i + 1) & mask_) {
      if (keys_[i] == key) return values_[i];
    }
    keys_[i] = key;
    values_[i] = static_cast<int32_t>(pairs.size());
    pairs.push_back(Pair{.a = a, .b = b, .count = 0, .words = {}, .touched_at = 0});
    return values_[i];
  }

  std::vector<Pair> pairs;

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  static uint64_t pack(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  size_t slot_of(uint64_t key) const { return ((key * 0x9E3779B97F4A7C15ull) >> 20) & mask_; }

  void grow() {
    const size_t capacity = std::max<size_t>(1024, keys_.size() * 2);
    keys_.assign(capacity, kEmpty);
    values_.assign(capacity, -1);
    mask_ = capacity - 1;
    for (size_t p = 0; p < pairs.size(); ++p) {
      const uint64_t key = pack(pairs[p].a, pairs[p].b);
      size_t i = slot_of(key);
      while (keys_[i] != kEmpty) i = (i + 1) & mask_;
      keys_[i] = key;
      values_[i] = static_cast<int32_t>(p);
    }
  }

  std::vector<uint64_t> keys_;
  std::vector<int32_t> values_;
  size_t mask_ = 0;
};

// A candidate merge; the queue is lazy: an entry whose count is stale is re-queued.
struct Candidate {
  int64_t count;
  int32_t a, b;
  // Highest count first; on a tie the smaller pair of ids, as HF's trainer orders them.
  bool operator<(const Candidate& other) const {
    if (count != other.count) return count < other.count;
    return std::tie(a, b) > std::tie(other.a, other.b);
  }
};

class Trainer {
 public:
  Trainer(const std::vector<std::pair<std::string, int64_t>>& words,
          const std::vector<char32_t>& alphabet) {
    for (std::string_view special : kSpecialTokens) add_token(std::string(special));
    std::unordered_map<char32_t, std::pair<int32_t, int32_t>> piece_ids;
    for (char32_t c : alphabet) piece_ids[c].first = add_token(utf8(c));
    for (char32_t c : alphabet) piece_ids[c].second = add_token("##" + utf8(c));

    for (const auto& [word, count] : words) {
      const auto chars = code_points(word);
      if (chars.size() < 2 || chars.size() > kMaxInputCharsPerWord) continue;
      const size_t begin = symbols_.size();
      bool covered = true;
      for (size_t i = 0; i < chars.size() && covered; ++i) {
        auto it = piece_ids.find(chars[i]);
        covered = it != piece_ids.end();
        if (covered) symbols_.push_back(i == 0 ? it->second.first : it->second.second);
      }
      if (!covered) {
        symbols_.resize(begin);
        continue;
      }
      begin_.push_back(static_cast<uint32_t>(begin));
      length_.push_back(static_cast<uint32_t>(chars.size()));
      count_.push_back(count);
    }
    merged_at_.assign(count_.size(), 0);
    for (size_t w = 0; w < count_.size(); ++w) {
      const int32_t* s = symbols_.data() + begin_[w];
      for (uint32_t i = 0; i + 1 < length_[w]; ++i) change(s[i], s[i + 1], count_[w], w);
    }
    for (const auto& pair : table_.pairs) queue_.push({pair.count, pair.a, pair.b});
  }

  size_t vocab_size() const { return tokens_.size(); }

  std::vector<std::string> train(size_t size, int64_t min_frequency) {
    while (tokens_.size() < size && !queue_.empty()) {
      const Candidate top = queue_.top();
      queue_.pop();
      const int32_t p = table_.find(top.a, top.b);
      const int64_t current = table_.pairs[p].count;
      if (current != top.count) {
        if (current > 0) queue_.push({current, top.a, top.b});
        continue;
      }
      if (current < std::max<int64_t>(min_frequency, 1)) break;
      merge(top.a, top.b);
    }
    return std::move(tokens_);
  }

 private:
  int32_t add_token(std::string token) {
    auto it = ids_.find(token);
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<int32_t>(tokens_.size());
    ids_.emplace(token, id);
    tokens_.push_back(std::move(token));
    return id;
  }

  void change(int32_t x, int32_t y, int64_t delta, size_t word) {
    if (x == merging_a_ && y == merging_b_) return;  // every occurrence is being merged away
    const int32_t p = delta > 0 ? table_.find_or_add(x, y) : table_.find(x, y);
    auto& pair = table_.pairs[p];
    pair.count += delta;
    if (delta <= 0) return;
    if (pair.words.empty() || pair.words.back() != static_cast<int32_t>(word)) {
      pair.words.push_back(static_cast<int32_t>(word));
    }
    if (pair.touched_at != step_) {
      pair.touched_at = step_;
      touched_.push_back(p);
    }
  }

  void merge(int32_t a, int32_t b) {
    // b never starts a word, so it always carries the "##" prefix.
    const int32_t merged = add_token(tokens_[a] + tokens_[b].substr(2));
    ++step_;
    merging_a_ = a;
    merging_b_ = b;
    const int32_t p = table_.find(a, b);
    const std::vector<int32_t> words = std::move(table_.pairs[p].words);
    table_.pairs[p].words.clear();
    table_.pairs[p].count = 0;
    touched_.clear();
    for (int32_t w : words) {
      if (merged_at_[w] == step_) continue;
      merged_at_[w] = step_;
      merge_in_word(static_cast<size_t>(w), a, b, merged);
    }
    for (int32_t q : touched_) {
      const auto& pair = table_.pairs[q];
      if (pair.count > 0) queue_.push({pair.count, pair.a, pair.b});
    }
    merging_a_ = merging_b_ = -1;
  }

  void merge_in_word(size_t w, int32_t a, int32_t b, int32_t merged) {
    int32_t* s = symbols_.data() + begin_[w];
    uint32_t n = length_[w];
    const int64_t count = count_[w];
    for (uint32_t i = 0; i + 1 < n; ++i) {
      if (s[i] != a || s[i + 1] != b) continue;
      if (i > 0) {
        change(s[i - 1], a, -count, w);
        change(s[i - 1], merged, count, w);
      }
      if (i + 2 < n) {
        change(b, s[i + 2], -count, w);
        change(merged, s[i + 2], count, w);
      }
      s[i] = merged;
      std::memmove(s + i + 1, s + i + 2, (n - i - 2) * sizeof(int32_t));
      --n;
    }
    length_[w] = n;
  }

  std::vector<std::string> tokens_;
  StringMap<int32_t> ids_;
  // The words as pieces: word w is symbols_[begin_[w], begin_[w] + length_[w]), seen count_[w]
  // times; merging shrinks it in place.
  std::vector<int32_t> symbols_;
  std::vector<uint32_t> begin_, length_;
  std::vector<int64_t> count_;
  std::vector<uint32_t> merged_at_;  // last merge step that rewrote each word
  PairTable table_;
  std::priority_queue<Candidate> queue_;
  std::vector<int32_t> touched_;
  uint32_t step_ = 0;
  int32_t merging_a_ = -1, merging_b_ = -1;
};

}  // namespace

std::vector<std::string> train_wordpiece_vocab(std::span<const std::string> texts, size_t size,
                                               const VocabTrainerOptions& options) {
  const auto counts = count_words(texts, options.normalizer);
  // Sorted, so that ids and tie-breaks never depend on hash-map order.
  std::vector<std::pair<std::string, int64_t>> words(counts.begin(), counts.end());
  std::sort(words.begin(), words.end());
  const auto alphabet = choose_alphabet(words, options.max_alphabet);
  const size_t minimum = kSpecialTokens.size() + 2 * alphabet.size();
  if (size < minimum) {
    fail("vocabulary size ", size, " is below the ", kSpecialTokens.size(),
         " special tokens + 2 x ", alphabet.size(), " alphabet characters (c and ##c) = ", minimum,
         "; raise the size or lower max_alphabet");
  }
  return Trainer(words, alphabet).train(size, options.min_frequency);
}

void write_vocab(const std::filesystem::path& path, std::span<const std::string> tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty() || tokens[i].find_first_of("\r\n") != std::string::npos) {
      fail(path.string(), ": token ", i, " is empty or holds a line break");
    }
  }
  write_file_atomically(path, [&](std::ostream& out) {
    for (const auto& token : tokens) out << token << '\n';
  });
}

void write_tokenizer_config(const std::filesystem::path& path, const NormalizerOptions& options) {
  const nlohmann::json config = {{"tokenizer_class", "BertTokenizer"},
                                 {"do_lower_case", options.lowercase},
                                 {"strip_accents", options.strip_accents},
                                 {"tokenize_chinese_chars", options.split_cjk}};
  write_file_atomically(path, config.dump(2) + "\n");
}

}  // namespace greenbert
