#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

STSH_BUILTIN(pwd) {
  (void)argv;
  io.out += shell.cwd() + "\n";
  return 0;
}

}  // namespace stsh::shell
