// CodeCarbon's brand-string matching (TDP._get_matching_cpu, codecarbon/core/cpu.py, 3.x), by
// its behaviour: rapidfuzz's fuzz.ratio at cutoff 100 is equality, and fuzz.token_set_ratio at
// cutoff 100 means one side's word set contains the other's. The table is cpu_tdp_table_data.cpp.
#include "energy/cpu_tdp_table.h"

#include <algorithm>
#include <regex>
#include <vector>

#include "core/error.h"

namespace greenbert {
namespace {

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string replace_all(std::string text, std::string_view what, std::string_view with) {
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
  return text;
}

// CodeCarbon's second try: "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz" -> "Intel Xeon Gold 6248".
std::string without_marks_and_clock(std::string_view brand) {
  std::string text = replace_all(std::string(brand), "(R)", "");
  const size_t cpu_at = text.find(" CPU @ ");
  if (cpu_at != std::string::npos && cpu_at > 0) text.resize(cpu_at);
  text = replace_all(text, " CPU", "");
  static const std::regex clock(R"( @\s*\d+\.\d+GHz)");
  return std::regex_replace(text, clock, "");
}

// rapidfuzz's default_process then split: lower case, anything but a letter or digit separates.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (alnum) {
      word += ascii_lower(c);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  return words;
}

// token_set_ratio == 100: both sets non-empty and one contains the other.
bool one_contains_the_other(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return false;
  return std::includes(a.begin(), a.end(), b.begin(), b.end()) ||
         std::includes(b.begin(), b.end(), a.begin(), a.end());
}

const CpuTdp* find_by_name(std::string_view name) {
  for (const CpuTdp& entry : cpu_tdp_table())
    if (same_ignoring_case(entry.model, name)) return &entry;
  return nullptr;
}

CpuTdpMatch matched(const CpuTdp& entry, std::string how) {
  if (entry.watts > 0) return {entry, std::move(how)};
  return {std::nullopt,
          cat("'", entry.model, "' (", how, ") has no usable TDP in ", kCpuTdpTableSource)};
}

}  // namespace

CpuTdpMatch match_cpu_tdp(std::string_view brand) {
  if (const CpuTdp* entry = find_by_name(brand)) return matched(*entry, "same name");
  const std::string cleaned = without_marks_and_clock(brand);
  if (const CpuTdp* entry = find_by_name(cleaned))
    return matched(*entry, "same name without (R), CPU and the clock");

  const std::vector<std::string> words = words_of(cleaned);
  std::vector<const CpuTdp*> candidates;
  for (const CpuTdp& entry : cpu_tdp_table())
    if (one_contains_the_other(words, words_of(entry.model))) candidates.push_back(&entry);
  if (candidates.size() == 1)
    return matched(*candidates[0],
                   "the only model whose words are all in the brand's, or "
                   "hold all of them");
  if (candidates.empty()) return {std::nullopt, cat("not in ", kCpuTdpTableSource)};
  return {std::nullopt,
          cat(candidates.size(), " models of ", kCpuTdpTableSource, " fit its words equally (",
              candidates[0]->model, ", ", candidates[1]->model,
              candidates.size() > 2 ? ", ..." : "", "), so none is chosen")};
}

}  // namespace greenbert
