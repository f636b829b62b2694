#include "shell/builtins.h"

namespace stsh::shell {

// exec without a command: its redirections stay for the rest of the shell (the executor keeps
// them). exec with a command is the executor's too: the command runs confined, then the
// shell exits with its status; the shell process itself is never replaced.
STSH_BUILTIN(exec) {
  (void)shell;
  (void)argv;
  (void)io;
  return 0;
}

}  // namespace stsh::shell
