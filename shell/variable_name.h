// NAME as variables and assignments spell it: [A-Za-z_][A-Za-z0-9_]*.
#pragma once

#include <string_view>

namespace stsh::shell {

inline bool is_variable_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// A decimal integer, optionally signed, nothing else around it.
inline bool parse_number(std::string_view text, long& value) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  if (i >= text.size()) return false;
  unsigned long v = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    if (v > 100000000000000000UL) return false;
    v = v * 10 + static_cast<unsigned long>(text[i] - '0');
  }
  value = negative ? -static_cast<long>(v) : static_cast<long>(v);
  return true;
}

inline bool parse_count(std::string_view text, int& value) {
  long v = 0;
  if (!parse_number(text, v) || v < 0 || v > 1000000000) return false;
  value = static_cast<int>(v);
  return true;
}

}  // namespace stsh::shell
