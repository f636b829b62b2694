#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

std::string shell_quote(const std::string& value);  // set.cc

// readonly [-p] [NAME[=value] ...].
STSH_BUILTIN(readonly) {
  if (argv.size() == 1 || (argv.size() == 2 && argv[1] == "-p")) {
    for (const Shell::VariableView& v : shell.variables()) {
      if (!v.readonly) continue;
      io.out += "readonly " + v.name + (v.set ? "=" + shell_quote(v.value) : "") + "\n";
    }
    return 0;
  }
  // Errors are utility errors (XCU 2.8.1), and the first one ends the command, as in dash.
  size_t i = first_operand(argv, io, "readonly");
  if (i == 0) return 2;
  for (; i < argv.size(); ++i) {
    const size_t eq = argv[i].find('=');
    const std::string name = argv[i].substr(0, eq);
    if (!is_variable_name(name)) {
      return utility_error(io, "stsh: readonly: `" + name + "': not a valid variable name");
    }
    if (eq != std::string::npos) {
      if (auto e = shell.try_set_variable(name, argv[i].substr(eq + 1))) {
        return utility_error(io, "stsh: readonly: " + *e);
      }
    }
    shell.make_readonly(name);
  }
  return 0;
}

}  // namespace stsh::shell
