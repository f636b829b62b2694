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
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "--") continue;
    const size_t eq = argv[i].find('=');
    const std::string name = argv[i].substr(0, eq);
    if (!is_variable_name(name)) {
      io.err += "stsh: readonly: `" + argv[i] + "': not a valid identifier\n";
      status = 1;
      continue;
    }
    if (eq != std::string::npos) {
      if (auto e = shell.try_set_variable(name, argv[i].substr(eq + 1))) {
        io.err += "stsh: readonly: " + *e + "\n";
        status = 1;
        continue;
      }
    }
    shell.make_readonly(name);
  }
  return status;
}

}  // namespace stsh::shell
