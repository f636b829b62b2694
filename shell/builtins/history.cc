#include "shell/history.h"
#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

// history [n]: the lines typed, this session's and the saved ones.
STSH_BUILTIN(history) {
  History* history = shell.history();
  if (history == nullptr) return 0;  // not interactive
  const std::vector<std::string> lines = history->lines();
  size_t from = 0;
  if (argv.size() > 1) {
    try {
      const size_t n = std::stoul(argv[1]);
      if (n < lines.size()) from = lines.size() - n;
    } catch (const std::exception&) {
      io.err += "stsh: history: " + argv[1] + ": numeric argument required\n";
      return 1;
    }
  }
  for (size_t i = from; i < lines.size(); ++i) {
    std::string number = std::to_string(i + 1);
    number.insert(0, number.size() < 5 ? 5 - number.size() : 0, ' ');
    io.out += number + "  " + lines[i] + "\n";
  }
  return 0;
}

}  // namespace stsh::shell
