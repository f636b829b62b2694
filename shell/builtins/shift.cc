#include "shell/builtins.h"
#include "shell/shell.h"
#include "shell/variable_name.h"

namespace stsh::shell {

// shift [n]: drops the first n positional parameters.
STSH_BUILTIN(shift) {
  int n = 1;
  if (argv.size() > 1 && !parse_count(argv[1], n)) {
    return utility_error(io, "stsh: shift: " + argv[1] + ": numeric argument required");
  }
  std::vector<std::string>& p = shell.positional();
  if (static_cast<size_t>(n) > p.size()) {
    return utility_error(io, "stsh: shift: can't shift " + std::to_string(n) + ": there are " +
                                 std::to_string(p.size()) + " positional parameters");
  }
  p.erase(p.begin(), p.begin() + n);
  return 0;
}

}  // namespace stsh::shell
