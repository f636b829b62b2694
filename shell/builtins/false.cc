#include "shell/builtins.h"

namespace stsh::shell {

STSH_BUILTIN(false) {
  (void)shell;
  (void)argv;
  (void)io;
  return 1;
}

}  // namespace stsh::shell
