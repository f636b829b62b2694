#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// shift [n]: drops the first n positional parameters.
STSH_BUILTIN(shift) {
  int n = 1;
  if (argv.size() > 1 && !parse_count(argv[1], n)) {
    io.err += "stsh: shift: " + argv[1] + ": numeric argument required\n";
    return 2;
  }
  std::vector<std::string>& p = shell.positional();
  if (static_cast<size_t>(n) > p.size()) {
    io.err += "stsh: shift: can't shift that many\n";
    return 2;
  }
  p.erase(p.begin(), p.begin() + n);
  return 0;
}

}  // namespace stsh::shell
