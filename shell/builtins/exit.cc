#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

// exit [n] and logout: the session ends; jobs still running are killed with it (nothing
// confined outlives the session).
STSH_BUILTIN(exit) {
  int status = shell.last_status();
  if (argv.size() > 2) {
    io.err += "stsh: " + argv[0] + ": too many arguments\n";
    return 1;
  }
  if (argv.size() == 2) {
    try {
      size_t used = 0;
      status = std::stoi(argv[1], &used) & 0xff;
      if (used != argv[1].size()) throw std::invalid_argument(argv[1]);
    } catch (const std::exception&) {
      io.err += "stsh: " + argv[0] + ": " + argv[1] + ": numeric argument required\n";
      status = 2;
    }
  }
  shell.request_exit(status);
  return status;
}

}  // namespace stsh::shell
