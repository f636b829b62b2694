#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// export [NAME[=value] ...]; without arguments, the exported variables. What reaches a
// command is still scrubbed as the policy says (loader and shell injection variables).
STSH_BUILTIN(export) {
  if (argv.size() == 1 || (argv.size() == 2 && argv[1] == "-p")) {
    for (const std::string& entry : shell.environment()) {
      const size_t eq = entry.find('=');
      io.out += "declare -x " + entry.substr(0, eq) + "=\"" + entry.substr(eq + 1) + "\"\n";
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
      shell.set_variable(name, argv[i].substr(eq + 1), true);
    } else {
      shell.export_variable(name);
    }
  }
  return status;
}

}  // namespace stsh::shell
