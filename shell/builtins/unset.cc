#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

STSH_BUILTIN(unset) {
  int status = 0;
  bool functions = false;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "-v") {
      functions = false;
      continue;
    }
    if (argv[i] == "-f") {
      functions = true;
      continue;
    }
    if (functions) {
      shell.unset_function(argv[i]);
      continue;
    }
    if (!is_variable_name(argv[i])) {
      io.err += "stsh: unset: `" + argv[i] + "': not a valid identifier\n";
      status = 1;
      continue;
    }
    // Without -f, a name that is no variable may be a function (POSIX leaves it open; dash
    // and bash unset the function).
    if (shell.variable(argv[i]) == std::nullopt && shell.function(argv[i])) {
      shell.unset_function(argv[i]);
      continue;
    }
    if (!shell.unset_variable(argv[i])) {
      io.err += "stsh: unset: " + argv[i] + ": is read only\n";
      status = 1;
    }
  }
  return status;
}

}  // namespace stsh::shell
