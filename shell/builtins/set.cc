#include <algorithm>

#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {
namespace {

bool* option_flag(ShellOptions& o, char letter) {
  switch (letter) {
    case 'e': return &o.errexit;
    case 'u': return &o.nounset;
    case 'x': return &o.xtrace;
    case 'f': return &o.noglob;
    case 'C': return &o.noclobber;
    case 'v': return &o.verbose;
    default: return nullptr;
  }
}

bool* named_option(ShellOptions& o, const std::string& name) {
  if (name == "errexit") return &o.errexit;
  if (name == "nounset") return &o.nounset;
  if (name == "xtrace") return &o.xtrace;
  if (name == "noglob") return &o.noglob;
  if (name == "noclobber") return &o.noclobber;
  if (name == "verbose") return &o.verbose;
  return nullptr;
}

}  // namespace

// 'value' quoted so that the shell reads it back as the same string.
std::string shell_quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// set [-euxfCv] [+euxfCv] [-o name] [+o name] [--] [arg ...]: options and positional
// parameters; without arguments, the variables (XCU 2.14 set).
STSH_BUILTIN(set) {
  ShellOptions& o = shell.options();
  if (argv.size() == 1) {
    for (const Shell::VariableView& v : shell.variables()) {
      if (v.set) io.out += v.name + "=" + shell_quote(v.value) + "\n";
    }
    return 0;
  }
  size_t i = 1;
  bool set_positional = false;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      set_positional = true;
      ++i;
      break;
    }
    if (a == "-") {  // historical: ends options, turns off -x and -v
      o.xtrace = o.verbose = false;
      set_positional = true;
      ++i;
      break;
    }
    if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) break;
    const bool on = a[0] == '-';
    if (a.substr(1) == "o") {
      if (i + 1 >= argv.size()) {
        static constexpr const char* kNames[] = {"errexit", "noclobber", "noglob",
                                                 "nounset", "verbose",   "xtrace"};
        for (const char* n : kNames) {
          const bool value = *named_option(o, n);
          io.out += on ? std::string(n) + std::string(16 - std::string(n).size(), ' ') +
                             (value ? "on" : "off") + "\n"
                       : std::string("set ") + (value ? "-o " : "+o ") + n + "\n";
        }
        continue;
      }
      bool* flag = named_option(o, argv[++i]);
      if (!flag) {
        return utility_error(io, "stsh: set: " + argv[i] + ": invalid option name");
      }
      *flag = on;
      continue;
    }
    for (size_t k = 1; k < a.size(); ++k) {
      bool* flag = option_flag(o, a[k]);
      if (!flag) {
        return utility_error(io, "stsh: set: " + std::string(1, a[0]) + a[k] + ": invalid option");
      }
      *flag = on;
    }
  }
  if (i < argv.size() || set_positional) {
    shell.positional().assign(argv.begin() + static_cast<long>(i), argv.end());
  }
  return 0;
}

}  // namespace stsh::shell
