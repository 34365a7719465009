#pragma once
// Character rules of the Hugging Face BERT tokenizer, as the FAST (Rust `tokenizers`)
// BertNormalizer + BertPreTokenizer apply them, which is what `AutoTokenizer` gives users.
// Unicode data (categories, canonical decompositions, combining classes, lowercase) come from
// utf8proc; the only literal code points here are the ones HF itself spells out.
//
// Where the slow Python BertTokenizer (transformers' tokenization_bert.py) differs, we follow
// the fast one. Differences found while reading both:
//  1. Control characters: slow drops every category C* (Cc Cf Cn Co Cs); fast's `is_other()`
//     (unicode_categories crate) is Cc|Cf|Co only, so fast KEEPS unassigned code points (Cn).
//  2. Order of accent stripping and lowercasing: slow lowercases, then NFD + drops Mn; fast does
//     NFD + drop Mn first, then lowercases. Same result for every character we know of
//     (U+0130 İ gives "i" both ways), kept in fast's order.
//  3. Lowercase: slow uses Python's str.lower() (full mappings AND the context-sensitive final
//     sigma: "ΟΔΟΣ" -> "οδος" with U+03C2 ς); fast maps every char alone with char::to_lowercase
//     (full mappings, no context: Σ -> σ always). Only U+0130 has a multi-char lowercase, which
//     matters when lowercasing without stripping accents: U+0130 -> "i" U+0307.
//  4. NFC: recent slow versions NFC-normalize the text before splitting; fast does not. With
//     accent stripping (uncased models) NFD follows anyway, so this only changes cased models
//     fed decomposed text ("e" U+0301 stays two code points in fast).
//  5. CJK ranges: slow's 5th range is U+2B820..U+2CEAF, fast's is U+2B920..U+2CEAF, so
//     U+2B820..U+2B91F (CJK Extension E) are isolated by slow only.
//  6. Whitespace: fast uses Rust's char::is_whitespace (the Unicode White_Space property:
//     adds U+2028, U+2029, U+0085, U+000B, U+000C to slow's " \t\n\r"+Zs). In practice no
//     difference: the control filter runs first and removes U+0085, U+000B, U+000C (Cc), and
//     slow's final str.split() splits on U+2028/U+2029 as well.
//  7. Unicode versions: fast's category tables come from an old crate (unicode_categories
//     0.1.1), slow uses Python's unicodedata, we use utf8proc (Unicode 15). Characters assigned
//     in recent Unicode versions may be classified differently by each.
#include <cstdint>

namespace greenbert {

// Removed by the cleanup step: NUL, U+FFFD and control characters (Cc, Cf, Co) other than
// \t \n \r, which count as whitespace.
bool is_removed_by_cleanup(char32_t c);

// Unicode White_Space (Zs, Zl, Zp, U+0009..U+000D, U+0085), plus nothing else; cleanup maps
// these to a space and the pre-tokenizer splits on them.
bool is_white_space(char32_t c);

// HF's "Chinese character" ranges (CJK Unified Ideographs and extensions, compatibility
// ideographs); each gets spaces around it so that it becomes its own word.
bool is_cjk_ideograph(char32_t c);

// Unicode punctuation (P*) or ASCII symbol ranges 33-47, 58-64, 91-96, 123-126: each such
// character becomes its own word.
bool is_punctuation(char32_t c);

// Mn: what accent stripping drops after NFD.
bool is_nonspacing_mark(char32_t c);

// Canonical combining class (0 for starters), used to put decomposed marks in canonical order.
int combining_class(char32_t c);

// Writes the canonical decomposition (NFD) of `c` to `out` and returns the count (at most
// kMaxDecomposition).
constexpr int kMaxDecomposition = 4;
int canonical_decomposition(char32_t c, char32_t* out);

// Rust's char::to_lowercase: full lowercase mapping without context. Writes 1 or 2 code
// points to `out` and returns the count.
int to_lowercase(char32_t c, char32_t* out);

}  // namespace greenbert
