#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// exit [n] and logout: the session ends; jobs still running are killed with it (nothing
// confined outlives the session). n is a status, 0 or more, taken modulo 256; operands after
// it are ignored, as dash does. A bad n is a utility error: the shell does not exit on it
// when `command exit` ran it.
STSH_BUILTIN(exit) {
  int status = shell.last_status();
  if (argv.size() >= 2) {
    long v = 0;
    const std::string& n = argv[1];
    if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos ||
        !parse_number(n, v)) {
      return utility_error(io,
                           "stsh: " + argv[0] + ": " + n + ": not a status (a number, 0 or more)");
    }
    status = static_cast<int>(v & 0xff);
  }
  shell.request_exit(status);
  return status;
}

}  // namespace stsh::shell
