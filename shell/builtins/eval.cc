#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

// eval [arg ...]: the arguments joined with spaces, parsed and run in this shell. It is no way
// around the policy: what it runs is decided as if typed.
STSH_BUILTIN(eval) {
  (void)io;
  std::string text;
  for (size_t i = 1; i < argv.size(); ++i) text += (i > 1 ? " " : "") + argv[i];
  if (text.empty()) return 0;
  return shell.eval_text(text);
}

}  // namespace stsh::shell
