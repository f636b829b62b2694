#include "policy/variables.h"

#include <cctype>

namespace stsh::policy {
namespace {

bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

const std::string* lookup(std::string_view name, const Variables& vars) {
  if (name == "HOME") return &vars.home;
  if (name == "USER") return &vars.user;
  if (name == "UID") return &vars.uid;
  return nullptr;
}

}  // namespace

std::optional<TextError> expand_variables(std::string_view in, const Variables& vars,
                                          std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$') {
      out += in[i];
      continue;
    }
    const size_t dollar = i;
    if (i + 1 < in.size() && in[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    std::string_view name;
    if (i + 1 < in.size() && in[i + 1] == '{') {
      size_t close = in.find('}', i + 2);
      if (close == std::string_view::npos) return TextError{dollar, "unterminated '${'"};
      name = in.substr(i + 2, close - i - 2);
      i = close;
    } else if (i + 1 < in.size() && is_name_start(in[i + 1])) {
      size_t end = i + 1;
      while (end < in.size() && is_name_char(in[end])) ++end;
      name = in.substr(i + 1, end - i - 1);
      i = end - 1;
    } else {
      // A '$' that starts no name is literal, so regular expressions can anchor with '$'.
      out += '$';
      continue;
    }
    if (name.empty()) return TextError{dollar, "empty variable name in '${}'"};
    const std::string* value = lookup(name, vars);
    if (value == nullptr) {
      return TextError{dollar,
                       "unknown variable '$" + std::string(name) + "' (known: $HOME, $USER, $UID)"};
    }
    out += *value;
  }
  return std::nullopt;
}

}  // namespace stsh::policy
