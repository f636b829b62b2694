#include <algorithm>
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
  std::vector<std::string> commands = permitted_commands(shell);
  // The policy's own commands that PATH does not reach (sftp-server under /usr/lib, a glob
  // like /opt/tools/*) are listed as the policy names them, so help and `policy` agree.
  for (const auto& c : shell.plan().commands()) {
    const std::string& key = c->key();
    const size_t slash = key.rfind('/');
    const std::string base = slash == std::string::npos ? key : key.substr(slash + 1);
    const enforcer::ProgramLookup found = shell.lookup(base);
    if (std::find(commands.begin(), commands.end(), base) != commands.end() && found.error == 0 &&
        found.path == key) {
      continue;
    }
    if (std::find(commands.begin(), commands.end(), key) == commands.end()) commands.push_back(key);
  }
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
