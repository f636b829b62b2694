#include "shell/builtins.h"

namespace stsh::shell {

// : and true: nothing, successfully (their arguments are expanded like any command's).
STSH_BUILTIN(colon) {
  (void)shell;
  (void)argv;
  (void)io;
  return 0;
}

}  // namespace stsh::shell
