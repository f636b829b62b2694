#include <algorithm>
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

// The condition's number: 0 for EXIT.
int condition_number(const std::string& name) {
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = sigabbrev_np(s);
    if (abbrev && name == abbrev) return s;
  }
  return 0;
}

}  // namespace

// trap [action condition ...]: the EXIT trap runs when the shell ends, a signal's action
// between commands after the signal came (Shell::apply_traps); their commands are confined
// like any. Listed in the order of the conditions' numbers, as input trap would take again.
STSH_BUILTIN(trap) {
  auto& traps = shell.traps();
  if (argv.size() == 1 || (argv.size() == 2 && argv[1] == "-p")) {
    std::vector<std::pair<int, std::string>> sorted;
    for (const auto& [name, action] : traps) {
      sorted.emplace_back(condition_number(name), "trap -- " + shell_quote(action) + " " + name);
    }
    std::sort(sorted.begin(), sorted.end());
    for (const auto& [number, line] : sorted) io.out += line + "\n";
    return 0;
  }
  size_t i = first_operand(argv, io, "trap", "-p");
  if (i == 0) return 2;
  if (i >= argv.size()) return 0;
  // `trap N ...` with a number first means reset those conditions, as POSIX allows.
  long first_number = 0;
  const bool reset = argv[i] == "-" || parse_number(argv[i], first_number);
  const std::string action = reset ? "" : argv[i];
  if (!reset || argv[i] == "-") ++i;
  // A condition that is no signal is an error that does not end the shell (status 1), and
  // the conditions after it stay as they were, as in dash.
  int status = 0;
  for (; i < argv.size(); ++i) {
    const std::optional<std::string> name = condition_name(argv[i]);
    if (!name || *name == "KILL" || *name == "STOP") {
      io.err += "stsh: trap: " + argv[i] + ": not a signal that can be trapped\n";
      status = 1;
      break;
    }
    // Ignored for good (nohup; an asynchronous subshell's INT and QUIT): quietly unchanged.
    if (shell.kept_ignored(condition_number(*name))) continue;
    if (reset) {
      traps.erase(*name);
    } else {
      traps[*name] = action;
    }
  }
  shell.apply_traps();
  return status;
}

}  // namespace stsh::shell
