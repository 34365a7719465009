// Source: the manufacturers' specification pages — Intel ARK ("TDP", or "Processor Base Power"
// from the 12th generation on) and AMD's product pages ("Default TDP") — for each model listed,
// transcribed by hand for greenbert (2024). TDP is a per-socket thermal design figure, not a
// measured power draw; the estimate scales it by load the way CodeCarbon 3.x does.
#include "energy/cpu_tdp_table.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace greenbert {
namespace {

constexpr CpuTdp kTable[] = {
    // Intel Xeon Scalable (Sapphire Rapids, Ice Lake, Cascade Lake, Skylake).
    {"Intel Xeon Platinum 8480+", 350},
    {"Intel Xeon Platinum 8470", 350},
    {"Intel Xeon Platinum 8468", 350},
    {"Intel Xeon Platinum 8380", 270},
    {"Intel Xeon Platinum 8358", 250},
    {"Intel Xeon Platinum 8280", 205},
    {"Intel Xeon Platinum 8268", 205},
    {"Intel Xeon Platinum 8180", 205},
    {"Intel Xeon Platinum 8168", 205},
    {"Intel Xeon Gold 6448Y", 225},
    {"Intel Xeon Gold 6430", 270},
    {"Intel Xeon Gold 6348", 235},
    {"Intel Xeon Gold 6338", 205},
    {"Intel Xeon Gold 6248R", 205},
    {"Intel Xeon Gold 6248", 150},
    {"Intel Xeon Gold 6240", 150},
    {"Intel Xeon Gold 6230", 125},
    {"Intel Xeon Gold 6226R", 150},
    {"Intel Xeon Gold 6154", 200},
    {"Intel Xeon Gold 6148", 150},
    {"Intel Xeon Gold 6130", 125},
    {"Intel Xeon Gold 5218", 125},
    {"Intel Xeon Gold 5120", 105},
    {"Intel Xeon Silver 4314", 135},
    {"Intel Xeon Silver 4310", 120},
    {"Intel Xeon Silver 4216", 100},
    {"Intel Xeon Silver 4214", 85},
    {"Intel Xeon Silver 4210", 85},
    {"Intel Xeon Silver 4114", 85},
    // Intel Xeon E5 / E3.
    {"Intel Xeon E5-2699 v4", 145},
    {"Intel Xeon E5-2690 v4", 135},
    {"Intel Xeon E5-2680 v4", 120},
    {"Intel Xeon E5-2650 v4", 105},
    {"Intel Xeon E5-2630 v4", 85},
    {"Intel Xeon E5-2620 v4", 85},
    {"Intel Xeon E5-2680 v3", 120},
    {"Intel Xeon E5-2620 v3", 85},
    {"Intel Xeon E3-1240 v2", 69},
    // Intel Core desktop.
    {"Intel Core i9-14900K", 125},
    {"Intel Core i9-13900K", 125},
    {"Intel Core i7-13700K", 125},
    {"Intel Core i5-13600K", 125},
    {"Intel Core i9-12900K", 125},
    {"Intel Core i7-12700K", 125},
    {"Intel Core i5-12600K", 125},
    {"Intel Core i5-12400", 65},
    {"Intel Core i9-11900K", 125},
    {"Intel Core i7-11700K", 125},
    {"Intel Core i9-10900K", 125},
    {"Intel Core i7-10700K", 125},
    {"Intel Core i5-10400", 65},
    {"Intel Core i9-9900K", 95},
    {"Intel Core i7-9700K", 95},
    {"Intel Core i7-8700K", 95},
    {"Intel Core i7-8700", 65},
    {"Intel Core i5-8400", 65},
    {"Intel Core i7-7700K", 91},
    {"Intel Core i7-6700K", 91},
    // Intel Core mobile.
    {"Intel Core i7-12700H", 45},
    {"Intel Core i7-10750H", 45},
    {"Intel Core i7-9750H", 45},
    {"Intel Core i7-8750H", 45},
    {"Intel Core i7-10510U", 15},
    {"Intel Core i7-8665U", 15},
    {"Intel Core i7-8650U", 15},
    {"Intel Core i7-8550U", 15},
    {"Intel Core i5-8250U", 15},
    {"Intel Core i7-7600U", 15},
    {"Intel Core i7-1065G7", 15},
    // AMD EPYC.
    {"AMD EPYC 9654", 360},
    {"AMD EPYC 9554", 360},
    {"AMD EPYC 9454", 290},
    {"AMD EPYC 9354", 280},
    {"AMD EPYC 7763", 280},
    {"AMD EPYC 7713", 225},
    {"AMD EPYC 7543", 225},
    {"AMD EPYC 7513", 200},
    {"AMD EPYC 7413", 180},
    {"AMD EPYC 7313", 155},
    {"AMD EPYC 7742", 225},
    {"AMD EPYC 7702", 200},
    {"AMD EPYC 7502", 180},
    {"AMD EPYC 7402", 180},
    {"AMD EPYC 7302", 155},
    {"AMD EPYC 7282", 120},
    {"AMD EPYC 7601", 180},
    {"AMD EPYC 7551", 180},
    // AMD Ryzen and Threadripper.
    {"AMD Ryzen 9 7950X", 170},
    {"AMD Ryzen 9 7900X", 170},
    {"AMD Ryzen 7 7700X", 105},
    {"AMD Ryzen 5 7600X", 105},
    {"AMD Ryzen 9 5950X", 105},
    {"AMD Ryzen 9 5900X", 105},
    {"AMD Ryzen 7 5800X", 105},
    {"AMD Ryzen 5 5600X", 65},
    {"AMD Ryzen 9 3950X", 105},
    {"AMD Ryzen 9 3900X", 105},
    {"AMD Ryzen 7 3700X", 65},
    {"AMD Ryzen 5 3600", 65},
    {"AMD Ryzen Threadripper 3990X", 280},
    {"AMD Ryzen Threadripper 3970X", 280},
    {"AMD Ryzen Threadripper 2950X", 180},
    {"AMD Ryzen Threadripper 1950X", 180},
    {"AMD Ryzen 7 5800H", 45},
    {"AMD Ryzen 7 4800H", 45},
    {"AMD Ryzen 7 4700U", 15},
    {"AMD Ryzen 5 3500U", 15},
};

bool is_noise_token(const std::string& token) {
  if (token == "cpu" || token == "processor" || token == "gen") return true;
  // "32-core", "16-core"
  if (token.size() > 5 && token.compare(token.size() - 5, 5, "-core") == 0) return true;
  // "12th", "13th", "1st", "2nd", "3rd"
  auto digits = token.find_first_not_of("0123456789");
  return digits > 0 && digits != std::string::npos &&
         (token.substr(digits) == "th" || token.substr(digits) == "st" ||
          token.substr(digits) == "nd" || token.substr(digits) == "rd");
}

}  // namespace

std::span<const CpuTdp> cpu_tdp_table() {
  return kTable;
}

std::string normalize_cpu_model(std::string_view cpu_model) {
  std::string lower;
  for (char c : cpu_model) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // Trademark marks become spaces: "xeon(r) gold" -> "xeon  gold".
  std::string text;
  for (size_t i = 0; i < lower.size();) {
    size_t mark_size = 0;
    for (std::string_view mark : {"(r)", "(tm)", "\xc2\xae", "\xe2\x84\xa2"}) {
      if (std::string_view(lower).substr(i, mark.size()) == mark) mark_size = mark.size();
    }
    text += mark_size ? ' ' : lower[i];
    i += mark_size ? mark_size : 1;
  }
  for (const char* tail : {" @", " with "}) text = text.substr(0, text.find(tail));
  std::istringstream words(text);
  std::string word, normalized;
  while (words >> word) {
    if (is_noise_token(word)) continue;
    if (!normalized.empty()) normalized += ' ';
    normalized += word;
  }
  return normalized;
}

std::optional<CpuTdp> find_cpu_tdp(std::string_view cpu_model) {
  const std::string wanted = normalize_cpu_model(cpu_model);
  if (wanted.empty()) return std::nullopt;
  for (const CpuTdp& entry : kTable) {
    if (normalize_cpu_model(entry.model) == wanted) return entry;
  }
  return std::nullopt;
}

}  // namespace greenbert
