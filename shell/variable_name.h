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

}  // namespace stsh::shell
