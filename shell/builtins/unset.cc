#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

STSH_BUILTIN(unset) {
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "-v") continue;
    if (!is_variable_name(argv[i])) {
      io.err += "stsh: unset: `" + argv[i] + "': not a valid identifier\n";
      status = 1;
      continue;
    }
    shell.unset_variable(argv[i]);
  }
  return status;
}

}  // namespace stsh::shell
