#include "train/pretrain_corpus.h"

#include <algorithm>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "data/seeded_random.h"
#include "data/utf8_check.h"

namespace greenbert {
namespace {

// Appends the windows of one whole encoding (ids and types of equal length, [CLS] ... [SEP]).
void add_windows(std::span<const int32_t> ids, std::span<const int32_t> types, int32_t cls,
                 int32_t sep, const CorpusOptions& options, EncodedExamples& out) {
  const bool typed = !types.empty();
  auto close = [&] {
    out.offsets.push_back(static_cast<int64_t>(out.ids.size()));
    out.label_offsets.push_back(static_cast<int64_t>(out.labels.size()));
  };
  if (ids.size() <= options.max_length) {
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    if (typed) out.token_types.insert(out.token_types.end(), types.begin(), types.end());
    return close();
  }
  const size_t content_begin = 1, content_end = ids.size() - 1;
  const size_t width = options.max_length - 2;
  for (size_t begin = content_begin; begin < content_end; begin += width) {
    const size_t end = std::min(content_end, begin + width);
    if (begin > content_begin && end - begin < options.min_tokens) break;
    out.ids.push_back(cls);
    out.ids.insert(out.ids.end(), ids.begin() + static_cast<std::ptrdiff_t>(begin),
                   ids.begin() + static_cast<std::ptrdiff_t>(end));
    out.ids.push_back(sep);
    if (typed) {
      out.token_types.push_back(0);
      out.token_types.insert(out.token_types.end(),
                             types.begin() + static_cast<std::ptrdiff_t>(begin),
                             types.begin() + static_cast<std::ptrdiff_t>(end));
      out.token_types.push_back(types[end - 1]);
    }
    close();
  }
}

EncodedExamples windows_of(const EncodedExamples& whole, std::span<const int64_t> which,
                           int32_t cls, int32_t sep, const CorpusOptions& options) {
  EncodedExamples out;
  for (int64_t i : which)
    add_windows(whole.example_ids(i), whole.example_types(i), cls, sep, options, out);
  return out;
}

}  // namespace

PretrainCorpus make_pretrain_corpus(const BertTokenizer& tokenizer, std::span<const Example> texts,
                                    const CorpusOptions& options) {
  if (options.max_length < 3) fail("pre-training windows need at least 3 tokens");
  if (texts.empty()) fail("no text to pre-train on");
  const int32_t cls = tokenizer.vocab().cls_id(), sep = tokenizer.vocab().sep_id();
  const EncodedExamples whole =
      encode_examples(tokenizer, texts, options.text, std::numeric_limits<size_t>::max());
  const auto n = static_cast<int64_t>(texts.size());
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  const int64_t heldout = std::clamp<int64_t>(options.heldout, 0, n / 2);
  if (heldout > 0) {
    SeededRandom random(options.seed ^ 0x68656c646f7574ull);  // "heldout"
    seeded_shuffle(std::span<int64_t>(order), random);
    // Both parts in text order: the windows of a text stay together and in order.
    std::sort(order.begin(), order.begin() + heldout);
    std::sort(order.begin() + heldout, order.end());
  }
  PretrainCorpus corpus;
  corpus.texts = n;
  corpus.heldout_texts = heldout;
  const auto split = order.begin() + heldout;
  corpus.heldout = windows_of(whole, {order.begin(), split}, cls, sep, options);
  corpus.train = windows_of(whole, {split, order.end()}, cls, sep, options);
  return corpus;
}

std::vector<Example> read_text_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), ": cannot open");
  std::vector<Example> texts;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (const size_t bad = find_invalid_utf8(line); bad != std::string::npos)
      fail(path.string(), ":", number, ": invalid UTF-8 at byte ", bad + 1);
    if (std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t'; }))
      continue;
    texts.push_back({"", std::move(line), {}, {}});
  }
  if (texts.empty()) fail(path.string(), ": no text (one text per line is expected)");
  return texts;
}

}  // namespace greenbert
