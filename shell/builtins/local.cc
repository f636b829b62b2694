#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// local NAME[=value] ...: as in dash and bash, NAME keeps its value (or is unset) until the
// function returns, whatever the function does to it meanwhile. Without a value the variable
// keeps the value it had (dash's behaviour).
STSH_BUILTIN(local) {
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    const size_t eq = argv[i].find('=');
    const std::string name = argv[i].substr(0, eq);
    if (!is_variable_name(name)) {
      io.err += "stsh: local: `" + argv[i] + "': not a valid identifier\n";
      status = 1;
      continue;
    }
    if (!shell.make_local(name)) {
      io.err += "stsh: local: can only be used in a function\n";
      return 1;
    }
    if (eq != std::string::npos) {
      if (auto e = shell.try_set_variable(name, argv[i].substr(eq + 1))) {
        io.err += "stsh: local: " + *e + "\n";
        status = 1;
      }
    }
  }
  return status;
}

}  // namespace stsh::shell
