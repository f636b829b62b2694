#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

std::string shell_quote(const std::string& value);  // set.cc

// export [NAME[=value] ...]; without arguments, the exported variables. What reaches a
// command is still scrubbed as the policy says (loader and shell injection variables).
STSH_BUILTIN(export) {
  if (argv.size() == 1 || (argv.size() == 2 && argv[1] == "-p")) {
    // XCU export -p: lines the shell reads back.
    for (const Shell::VariableView& v : shell.variables()) {
      if (!v.exported) continue;
      io.out += "export " + v.name + (v.set ? "=" + shell_quote(v.value) : "") + "\n";
    }
    return 0;
  }
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    const size_t eq = argv[i].find('=');
    const std::string name = argv[i].substr(0, eq);
    if (!is_variable_name(name)) {
      io.err += "stsh: export: `" + argv[i] + "': not a valid identifier\n";
      status = 1;
      continue;
    }
    if (eq != std::string::npos) {
      if (auto e = shell.try_set_variable(name, argv[i].substr(eq + 1), true)) {
        io.err += "stsh: export: " + *e + "\n";
        status = 1;
      }
    } else {
      shell.export_variable(name);
    }
  }
  return status;
}

}  // namespace stsh::shell
