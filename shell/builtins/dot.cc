#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

// . FILE [arg ...]: FILE's commands in this shell. The file is read through ShellFs, so only a
// file the policy lets the user read can be sourced (and a denial is logged like any other).
STSH_BUILTIN(dot) {
  size_t first = 1;
  if (first < argv.size() && argv[first] == "--") ++first;
  if (first >= argv.size()) return utility_error(io, "stsh: .: filename argument required");
  std::vector<std::string> args(argv.begin() + static_cast<long>(first) + 1, argv.end());
  std::string err;
  const int status = shell.source_file(argv[first], args, err);
  // XCU 2.8.1: a . file that cannot be read is a utility error (it ends a non-interactive
  // shell unless `command .` ran it).
  if (!err.empty()) return utility_error(io, err);
  return status;
}

}  // namespace stsh::shell
