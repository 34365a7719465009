#pragma once
// A WordPiece vocabulary (vocab.txt: one token per line, line N = id N-1) with allocation-free
// lookup. Tokens starting with "##" are continuation pieces; they are looked up by the text
// after the prefix, so WordPiece never has to build "##" + piece strings.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace greenbert {

class Vocab {
 public:
  // Reads vocab.txt. Tolerates CRLF line ends (HF's Python loader would keep the "\r" in every
  // token) and a missing final newline; other whitespace stays in the token. An empty line is an
  // (unmatchable) empty token that keeps the ids of later lines. A token listed twice maps to
  // its LAST line, as in HF (both tokenizers build a dict token -> line index); token(id)
  // still returns each line's text. Throws greenbert::Error for unreadable or empty files.
  static Vocab load(const std::filesystem::path& vocab_txt);
  // `tokens[i]` gets id i; `source` names the vocabulary in error messages.
  static Vocab from_tokens(std::vector<std::string> tokens, std::string source);

  // Id of an exact token ("##ing" included), or -1.
  int32_t id(std::string_view token) const { return piece_id(token, false); }
  // Id of the token spelled `piece` (continuation = false) or "##" + piece, or -1.
  int32_t piece_id(std::string_view piece, bool continuation) const;
  std::string_view token(int32_t id) const;
  int32_t size() const { return static_cast<int32_t>(offsets_.size()) - 1; }
  const std::string& source() const { return source_; }

  // BERT's special tokens, found by name; -1 when the vocabulary lacks one.
  int32_t pad_id() const { return id("[PAD]"); }
  int32_t unk_id() const { return id("[UNK]"); }
  int32_t cls_id() const { return id("[CLS]"); }
  int32_t sep_id() const { return id("[SEP]"); }
  int32_t mask_id() const { return id("[MASK]"); }

  // Longest piece in bytes (continuation pieces without their "##"): a longer substring can
  // never match, which bounds WordPiece's search.
  size_t max_piece_bytes(bool continuation) const {
    return continuation ? max_continuation_bytes_ : max_word_start_bytes_;
  }

 private:
  Vocab() = default;
  void build_index();
  std::string_view key_of(int32_t id, bool& continuation) const;

  // The key's place in text_ sits in the slot, so a probe touches the slot and the key bytes
  // only.
  struct Slot {
    uint32_t hash = 0;
    int32_t id = -1;  // -1: empty
    uint32_t key_offset = 0;
    uint32_t key_length = 0;  // bit 31: continuation piece
  };

  std::string source_;
  std::string text_;               // all tokens back to back
  std::vector<uint32_t> offsets_;  // token i is text_[offsets_[i], offsets_[i+1])
  std::vector<Slot> slots_;        // open addressing, linear probing, power-of-two size
  size_t max_word_start_bytes_ = 0;
  size_t max_continuation_bytes_ = 0;
};

}  // namespace greenbert
