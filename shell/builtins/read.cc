#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// read [-r] NAME ...: one line of standard input, split by IFS into the names (the last takes
// the rest). Read a byte at a time, so that what follows the line stays for the next reader;
// the supervisor goes on meanwhile (the writer may be a confined command).
STSH_BUILTIN(read) {
  bool raw = false;
  size_t i = 1;
  for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
    if (argv[i] == "--") {
      ++i;
      break;
    }
    if (argv[i] == "-r") {
      raw = true;
      continue;
    }
    io.err += "stsh: read: " + argv[i] + ": invalid option\n";
    return 2;
  }
  std::vector<std::string> names(argv.begin() + static_cast<long>(i), argv.end());
  if (names.empty()) names.push_back("REPLY");
  for (const std::string& n : names) {
    if (!is_variable_name(n)) {
      io.err += "stsh: read: `" + n + "': not a valid identifier\n";
      return 2;
    }
  }
  if (io.in < 0) {
    io.err += "stsh: read: standard input is closed\n";
    return 1;
  }
  // The line, and per byte whether a backslash quoted it (then it does not split).
  std::string line;
  std::vector<bool> quoted;
  bool eof = false;
  for (;;) {
    char c = 0;
    const int r = shell.read_byte(io.in, c);
    if (r <= 0) {
      eof = true;
      break;
    }
    if (c == '\n') break;
    if (c == '\\' && !raw) {
      const int r2 = shell.read_byte(io.in, c);
      if (r2 <= 0) {
        eof = true;
        break;
      }
      if (c == '\n') continue;  // line continuation
      line += c;
      quoted.push_back(true);
      continue;
    }
    line += c;
    quoted.push_back(false);
  }
  const std::string ifs = shell.variable("IFS").value_or(" \t\n");
  auto is_ifs = [&](size_t k) { return !quoted[k] && ifs.find(line[k]) != std::string::npos; };
  auto is_white = [&](size_t k) {
    return is_ifs(k) && (line[k] == ' ' || line[k] == '\t' || line[k] == '\n');
  };
  size_t k = 0;
  while (k < line.size() && is_white(k)) ++k;
  for (size_t n = 0; n < names.size(); ++n) {
    std::string value;
    if (n + 1 == names.size()) {
      // The rest of the line, without trailing IFS white space.
      size_t end = line.size();
      while (end > k && is_white(end - 1)) --end;
      value = line.substr(k, end > k ? end - k : 0);
    } else {
      while (k < line.size() && !is_ifs(k)) value += line[k++];
      // One delimiter: white space around it, and at most one other IFS character.
      while (k < line.size() && is_white(k)) ++k;
      if (k < line.size() && is_ifs(k) && !is_white(k)) {
        ++k;
        while (k < line.size() && is_white(k)) ++k;
      }
    }
    if (auto e = shell.try_set_variable(names[n], value)) {
      io.err += "stsh: read: " + *e + "\n";
      return 2;
    }
  }
  return eof ? 1 : 0;
}

}  // namespace stsh::shell
