#include "policy/explain.h"
#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

// policy: the user's effective policy in words (the same text as `stsh-policy explain`).
STSH_BUILTIN(policy) {
  (void)argv;
  io.out += policy::summarize(shell.plan());
  if (!io.out.empty() && io.out.back() != '\n') io.out += '\n';
  return 0;
}

}  // namespace stsh::shell
