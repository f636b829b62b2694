#include "shell/builtins.h"
#include "shell/completion.h"
#include "shell/shell.h"

namespace stsh::shell {

// help: the builtins, and the commands this user may run (what the policy permits, found
// in PATH), so nobody has to guess.
STSH_BUILTIN(help) {
  (void)argv;
  io.out += "stsh, a restricted shell. Builtins:\n";
  for (const Builtin& b : all_builtins()) io.out += "  " + std::string(b.synopsis) + "\n";
  io.out += "Commands you may run:\n";
  const std::vector<std::string> commands = permitted_commands(shell);
  if (commands.empty()) io.out += "  (none)\n";
  std::string line = " ";
  for (const std::string& c : commands) {
    if (line.size() + c.size() + 1 > 78) {
      io.out += line + "\n";
      line = " ";
    }
    line += " " + c;
  }
  if (line.size() > 1) io.out += line + "\n";
  io.out += "`policy` shows what they may do; `type NAME` which program a name runs.\n";
  return 0;
}

}  // namespace stsh::shell
