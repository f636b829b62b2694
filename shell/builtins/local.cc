#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// local [-] NAME[=value] ...: as in dash and bash, NAME keeps its value (or is unset) until the
// function returns, whatever the function does to it meanwhile. Without a value the variable
// keeps the value it had (dash's behaviour); `-` does the same for the options of `set`.
// dash counts local among the special builtins: its errors are utility errors (XCU 2.8.1),
// and the first one ends the command.
STSH_BUILTIN(local) {
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "-") {
      if (!shell.make_options_local()) {
        return utility_error(io, "stsh: local: can only be used in a function");
      }
      continue;
    }
    const size_t eq = argv[i].find('=');
    const std::string name = argv[i].substr(0, eq);
    if (!is_variable_name(name)) {
      return utility_error(io, "stsh: local: `" + name + "': not a valid variable name");
    }
    if (!shell.make_local(name)) {
      return utility_error(io, "stsh: local: can only be used in a function");
    }
    if (eq != std::string::npos) {
      if (auto e = shell.try_set_variable(name, argv[i].substr(eq + 1))) {
        return utility_error(io, "stsh: local: " + *e);
      }
    }
  }
  return 0;
}

}  // namespace stsh::shell
