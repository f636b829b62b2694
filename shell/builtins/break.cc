#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// break [n] and continue [n]: the n-th enclosing loop (XCU 2.14). n larger than the loops
// there are means the outermost; outside any loop they do nothing, as in dash.
STSH_BUILTIN(break) {
  int n = 1;
  if (argv.size() > 1) {
    if (!parse_count(argv[1], n) || n < 1) {
      return utility_error(io,
                           "stsh: " + argv[0] + ": " + argv[1] + ": not a loop count (1 or more)");
    }
  }
  if (shell.loop_depth() == 0) return 0;
  n = std::min(n, shell.loop_depth());
  shell.set_flow(argv[0] == "break" ? Flow::break_loop : Flow::continue_loop, n);
  return 0;
}

// return [n]: ends the function or `.` script; n (0 to 255) defaults to $?. Outside both, a
// non-interactive shell ends (the script it runs is over), as in dash.
STSH_BUILTIN(return) {
  int status = shell.last_status();
  if (argv.size() > 1) {
    long v = 0;
    if (!parse_number(argv[1], v) || v < 0) {
      return utility_error(io, "stsh: return: " + argv[1] + ": not a status (a number, 0 or more)");
    }
    status = static_cast<int>(v & 0xff);
  }
  if (shell.function_depth() == 0) {
    if (!shell.interactive()) {
      shell.request_exit(status);
      return status;
    }
    io.err += "stsh: return: can only be used in a function or a sourced script\n";
    return 1;
  }
  shell.set_return_status(status);
  shell.set_flow(Flow::return_function, 1);
  return status;
}

}  // namespace stsh::shell
