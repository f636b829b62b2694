#include "shell/builtins.h"

namespace stsh::shell {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// echo -e's escapes; false when \c ends the output.
bool unescape(const std::string& in, std::string& out) {
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\' || i + 1 == in.size()) {
      out += in[i];
      continue;
    }
    const char c = in[++i];
    switch (c) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'e':
        out += '\x1b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case 'c':
        return false;
      case '0': {
        int value = 0, digits = 0;
        while (digits < 3 && i + 1 < in.size() && in[i + 1] >= '0' && in[i + 1] <= '7') {
          value = value * 8 + (in[++i] - '0');
          ++digits;
        }
        out += static_cast<char>(value);
        break;
      }
      case 'x': {
        int value = 0, digits = 0;
        while (digits < 2 && i + 1 < in.size() && hex_value(in[i + 1]) >= 0) {
          value = value * 16 + hex_value(in[++i]);
          ++digits;
        }
        if (digits == 0)
          out += "\\x";
        else
          out += static_cast<char>(value);
        break;
      }
      default:
        out += '\\';
        out += c;
    }
  }
  return true;
}

}  // namespace

// echo [-neE] [word ...], as bash's builtin (no POSIXLY_CORRECT).
STSH_BUILTIN(echo) {
  (void)shell;
  bool newline = true, escapes = false;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() < 2 || a[0] != '-' || a.find_first_not_of("neE", 1) != std::string::npos) break;
    for (char c : a.substr(1)) {
      if (c == 'n') newline = false;
      if (c == 'e') escapes = true;
      if (c == 'E') escapes = false;
    }
  }
  for (size_t first = i; i < argv.size(); ++i) {
    if (i > first) io.out += ' ';
    if (!escapes) {
      io.out += argv[i];
    } else if (!unescape(argv[i], io.out)) {
      return 0;
    }
  }
  if (newline) io.out += '\n';
  return 0;
}

}  // namespace stsh::shell
