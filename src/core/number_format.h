#pragma once
// One number as text, printf-style (GCC 12 has no <format>): for reports, logs and progress lines.
#include <cstdio>
#include <string>

namespace greenbert {

// `decimals` digits after the point: fixed(0.12345, 3) == "0.123".
inline std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// `digits` significant digits, %g style: general(1234.5, 3) == "1.23e+03".
inline std::string general(double value, int digits = 3) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
  return buffer;
}

// Two decimals of mantissa and an exponent: scientific(0.000123) == "1.23e-04".
inline std::string scientific(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2e", value);
  return buffer;
}

}  // namespace greenbert
