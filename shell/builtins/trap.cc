#include <csignal>
#include <cstring>

#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

std::string shell_quote(const std::string& value);  // set.cc

namespace {

// The condition's name as `trap` prints it: EXIT, or a signal name without SIG.
std::optional<std::string> condition_name(const std::string& spec) {
  if (spec == "0" || spec == "EXIT") return "EXIT";
  std::string name = spec.rfind("SIG", 0) == 0 ? spec.substr(3) : spec;
  long number = 0;
  if (parse_number(spec, number)) {
    if (number <= 0 || number >= NSIG) return std::nullopt;
    const char* abbrev = sigabbrev_np(static_cast<int>(number));
    return abbrev ? std::optional<std::string>(abbrev) : std::nullopt;
  }
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = sigabbrev_np(s);
    if (abbrev && name == abbrev) return name;
  }
  return std::nullopt;
}

}  // namespace

// trap [action condition ...]: the EXIT trap runs when the shell ends (its commands are
// confined like any). Traps on signals are recorded and listed but do not run: the shell is
// the supervisor and keeps its own handling of signals (INT and TSTP go to the foreground job).
STSH_BUILTIN(trap) {
  auto& traps = shell.traps();
  if (argv.size() == 1 || (argv.size() == 2 && argv[1] == "-p")) {
    for (const auto& [name, action] : traps) {
      io.out += "trap -- " + shell_quote(action) + " " + name + "\n";
    }
    return 0;
  }
  size_t i = 1;
  if (argv[i] == "--") ++i;
  if (i >= argv.size()) return 0;
  // `trap N ...` with a number first means reset those conditions, as POSIX allows.
  long first_number = 0;
  const bool reset = argv[i] == "-" || parse_number(argv[i], first_number);
  const std::string action = reset ? "" : argv[i];
  if (!reset || argv[i] == "-") ++i;
  int status = 0;
  for (; i < argv.size(); ++i) {
    const std::optional<std::string> name = condition_name(argv[i]);
    if (!name || *name == "KILL" || *name == "STOP") {
      io.err += "stsh: trap: " + argv[i] + ": bad trap\n";
      status = 1;
      continue;
    }
    if (reset) {
      traps.erase(*name);
    } else {
      traps[*name] = action;
    }
  }
  return status;
}

}  // namespace stsh::shell
