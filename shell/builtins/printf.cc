#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "shell/builtins.h"
#include "shell/variable_name.h"

namespace stsh::shell {
namespace {

// The backslash escapes of printf's format and of %b: \\ \a \b \f \n \r \t \v \NNN (octal),
// and for %b also \0NNN and \c (which ends all output).
size_t escape(const std::string& s, size_t i, std::string& out, bool for_b, bool& stop) {
  const char e = i + 1 < s.size() ? s[i + 1] : '\0';
  static constexpr std::string_view kFrom = "\\abfnrtv\"";
  static constexpr std::string_view kTo = "\\\a\b\f\n\r\t\v\"";
  if (const size_t k = kFrom.find(e); e && k != std::string_view::npos) {
    out += kTo[k];
    return i + 2;
  }
  if (for_b && e == 'c') {
    stop = true;
    return s.size();
  }
  if (e >= '0' && e <= '7') {
    size_t j = i + 1;
    if (for_b && e == '0') ++j;
    int v = 0, digits = 0;
    while (j < s.size() && digits < 3 && s[j] >= '0' && s[j] <= '7') {
      v = v * 8 + (s[j++] - '0');
      ++digits;
    }
    out += static_cast<char>(v);
    return j;
  }
  out += '\\';
  return i + 1;
}

// A numeric argument: integers, 'c / "c (the character's code), empty is 0.
bool number_arg(const std::string& a, long long& v, std::string& err) {
  if (a.empty()) {
    v = 0;
    return true;
  }
  if (a[0] == '\'' || a[0] == '"') {
    v = a.size() > 1 ? static_cast<unsigned char>(a[1]) : 0;
    return true;
  }
  char* end = nullptr;
  errno = 0;
  v = std::strtoll(a.c_str(), &end, 0);
  if (*end != '\0' || errno) {
    err += "stsh: printf: " + a + ": invalid number\n";
    return false;
  }
  return true;
}

// A floating-point argument (XCU printf leaves them optional; dash has them): as strtod reads
// it, 'c / "c as for integers, empty is 0.
bool float_arg(const std::string& a, double& v, std::string& err) {
  if (a.empty() || a[0] == '\'' || a[0] == '"') {
    long long code = 0;
    (void)number_arg(a, code, err);
    v = static_cast<double>(code);
    return true;
  }
  char* end = nullptr;
  errno = 0;
  v = std::strtod(a.c_str(), &end);
  if (*end != '\0' || errno) {
    err += "stsh: printf: " + a + ": invalid number\n";
    return false;
  }
  return true;
}

}  // namespace

// printf FORMAT [arg ...]: XCU printf — %d %i %o %u %x %X %c %s %b %% with flags, width and
// precision (also *), the format reused while arguments remain.
STSH_BUILTIN(printf) {
  (void)shell;
  size_t first = 1;
  if (first < argv.size() && argv[first] == "--") ++first;
  if (first >= argv.size()) {
    io.err += "stsh: printf: usage: printf format [arguments]\n";
    return 2;
  }
  const std::string& format = argv[first];
  std::vector<std::string> args(argv.begin() + static_cast<long>(first) + 1, argv.end());
  size_t next = 0;
  int status = 0;
  bool stop = false;
  auto arg = [&]() -> std::string { return next < args.size() ? args[next++] : std::string(); };
  do {
    const size_t before = next;
    for (size_t i = 0; i < format.size() && !stop;) {
      const char c = format[i];
      if (c == '\\') {
        i = escape(format, i, io.out, false, stop);
        continue;
      }
      if (c != '%') {
        io.out += c;
        ++i;
        continue;
      }
      if (i + 1 < format.size() && format[i + 1] == '%') {
        io.out += '%';
        i += 2;
        continue;
      }
      // %[flags][width][.precision]conversion
      std::string spec = "%";
      size_t j = i + 1;
      while (j < format.size() && std::strchr("-+ #0", format[j])) spec += format[j++];
      auto star_or_digits = [&]() {
        if (j < format.size() && format[j] == '*') {
          long long v = 0;
          if (!number_arg(arg(), v, io.err)) status = 1;
          spec += std::to_string(v);
          ++j;
          return;
        }
        while (j < format.size() && format[j] >= '0' && format[j] <= '9') spec += format[j++];
      };
      star_or_digits();
      if (j < format.size() && format[j] == '.') {
        spec += format[j++];
        star_or_digits();
      }
      if (j >= format.size()) {
        io.err += "stsh: printf: %" + format.substr(i + 1) + ": missing conversion\n";
        return 1;
      }
      const char conv = format[j];
      i = j + 1;
      char buf[512];
      switch (conv) {
        case 'd':
        case 'i':
        case 'o':
        case 'u':
        case 'x':
        case 'X': {
          long long v = 0;
          if (!number_arg(arg(), v, io.err)) status = 1;
          const std::string f = spec + "ll" + conv;
          snprintf(buf, sizeof buf, f.c_str(), v);
          io.out += buf;
          break;
        }
        case 'c': {
          const std::string a = arg();
          const std::string f = spec + "s";
          snprintf(buf, sizeof buf, f.c_str(), a.substr(0, 1).c_str());
          io.out += buf;
          break;
        }
        case 's':
        case 'b': {
          std::string a = arg();
          if (conv == 'b') {
            std::string decoded;
            for (size_t k = 0; k < a.size() && !stop;) {
              if (a[k] == '\\') {
                k = escape(a, k, decoded, true, stop);
              } else {
                decoded += a[k++];
              }
            }
            a = std::move(decoded);
          }
          if (spec == "%") {
            io.out += a;
          } else {
            // Width and precision by hand: the string may be longer than any buffer.
            long width = 0, precision = -1;
            bool left = spec.find('-') != std::string::npos;
            const size_t dot = spec.find('.');
            const std::string w = spec.substr(1, dot == std::string::npos ? std::string::npos : dot - 1);
            const size_t digits = w.find_first_of("123456789");
            if (digits != std::string::npos) width = std::atol(w.c_str() + digits);
            if (dot != std::string::npos) precision = std::atol(spec.c_str() + dot + 1);
            if (precision >= 0 && static_cast<size_t>(precision) < a.size()) a.resize(precision);
            const std::string pad(width > static_cast<long>(a.size()) ? width - a.size() : 0, ' ');
            io.out += left ? a + pad : pad + a;
          }
          break;
        }
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
          double v = 0;
          if (!float_arg(arg(), v, io.err)) status = 1;
          const std::string f = spec + conv;
          snprintf(buf, sizeof buf, f.c_str(), v);
          io.out += buf;
          break;
        }
        default:
          // As in dash: status 2, and nothing more is printed.
          io.err += "stsh: printf: %" + std::string(1, conv) + ": invalid directive\n";
          return 2;
      }
    }
    if (next == before) break;  // the format used no argument: once is enough
  } while (next < args.size() && !stop);
  return status;
}

}  // namespace stsh::shell
