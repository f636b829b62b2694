#include <sys/syscall.h>

#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

bool is_reserved_word(const std::string& name);  // type.cc

// command -v NAME / command -V NAME: how NAME would be run. `command NAME args` itself (no
// functions) is the executor's; this builtin sees only the -v and -V forms.
STSH_BUILTIN(command) {
  size_t i = 1;
  bool verbose = false, brief = false;
  for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
    if (argv[i] == "--") {
      ++i;
      break;
    }
    for (size_t k = 1; k < argv[i].size(); ++k) {
      if (argv[i][k] == 'v') brief = true;
      else if (argv[i][k] == 'V') verbose = true;
      else if (argv[i][k] != 'p') {
        io.err += "stsh: command: -" + std::string(1, argv[i][k]) + ": invalid option\n";
        return 2;
      }
    }
  }
  if (!brief && !verbose) return 0;  // `command` alone
  int status = 0;
  for (; i < argv.size(); ++i) {
    const std::string& name = argv[i];
    if (shell.function(name)) {
      io.out += verbose ? name + " is a shell function\n" : name + "\n";
    } else if (find_builtin(name)) {
      io.out += verbose ? name + " is a shell builtin\n" : name + "\n";
    } else if (is_reserved_word(name)) {
      io.out += verbose ? name + " is a shell keyword\n" : name + "\n";
    } else {
      const enforcer::ProgramLookup found = shell.lookup(name);
      if (found.error != 0) {
        if (verbose) io.err += "stsh: command: " + name + ": not found\n";
        status = 127;
        continue;
      }
      io.out += verbose ? name + " is " + found.path + "\n" : found.path + "\n";
    }
  }
  return status;
}

}  // namespace stsh::shell
