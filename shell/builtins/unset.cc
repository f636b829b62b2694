#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// unset [-f | -v] NAME ...: errors (a bad option or name, a read-only variable) are utility
// errors (XCU 2.8.1), and the first one ends the command, as in dash.
STSH_BUILTIN(unset) {
  bool functions = false;
  size_t i = 1;
  for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
    if (argv[i] == "--") {
      ++i;
      break;
    }
    if (argv[i] != "-v" && argv[i] != "-f") {
      return utility_error(io, "stsh: unset: " + argv[i] + ": invalid option");
    }
    functions = argv[i] == "-f";
  }
  for (; i < argv.size(); ++i) {
    if (functions) {
      shell.unset_function(argv[i]);
      continue;
    }
    if (!is_variable_name(argv[i])) {
      return utility_error(io, "stsh: unset: `" + argv[i] + "': not a valid variable name");
    }
    // Without -f, a name that is no variable may be a function (POSIX leaves it open; dash
    // and bash unset the function).
    if (shell.variable(argv[i]) == std::nullopt && shell.function(argv[i])) {
      shell.unset_function(argv[i]);
      continue;
    }
    if (!shell.unset_variable(argv[i])) {
      return utility_error(io, "stsh: unset: " + argv[i] + ": is read only");
    }
  }
  return 0;
}

}  // namespace stsh::shell
