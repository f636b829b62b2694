#include <sys/stat.h>

#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

// umask [-S] [mode]: octal modes, and symbolic ones of the u=rwx,g=rx,o= kind. The session's
// umask comes from the policy; the user may change it, as any process may.
STSH_BUILTIN(umask) {
  (void)shell;
  const mode_t current = current_umask();
  size_t i = 1;
  bool symbolic = false;
  if (i < argv.size() && argv[i] == "-S") {
    symbolic = true;
    ++i;
  }
  if (i >= argv.size()) {
    if (symbolic) {
      std::string out;
      const mode_t allowed = ~current & 0777;
      const char* who[] = {"u", "g", "o"};
      for (int k = 0; k < 3; ++k) {
        const mode_t bits = (allowed >> (6 - 3 * k)) & 7;
        out += std::string(k ? "," : "") + who[k] + "=" + ((bits & 4) ? "r" : "") +
               ((bits & 2) ? "w" : "") + ((bits & 1) ? "x" : "");
      }
      io.out += out + "\n";
    } else {
      char buf[8];
      snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(current));
      io.out += std::string(buf) + "\n";
    }
    return 0;
  }
  const std::string& m = argv[i];
  mode_t value = 0;
  if (!m.empty() && m.find_first_not_of("01234567") == std::string::npos) {
    if (m.size() > 4) {
      io.err += "stsh: umask: " + m + ": invalid mode\n";
      return 1;
    }
    value = static_cast<mode_t>(std::stoul(m, nullptr, 8));
  } else {
    // Symbolic: start from the permitted bits and apply each clause.
    mode_t allowed = ~current & 0777;
    size_t p = 0;
    while (p < m.size()) {
      mode_t mask = 0;
      while (p < m.size() && std::string("ugoa").find(m[p]) != std::string::npos) {
        mask |= m[p] == 'u' ? 0700 : m[p] == 'g' ? 070 : m[p] == 'o' ? 07 : 0777;
        ++p;
      }
      if (mask == 0) mask = 0777;
      if (p >= m.size() || std::string("+-=").find(m[p]) == std::string::npos) {
        io.err += "stsh: umask: " + m + ": invalid mode\n";
        return 1;
      }
      const char op = m[p++];
      mode_t perm = 0;
      while (p < m.size() && std::string("rwx").find(m[p]) != std::string::npos) {
        perm |= m[p] == 'r' ? 0444 : m[p] == 'w' ? 0222 : 0111;
        ++p;
      }
      perm &= mask;
      if (op == '+') allowed |= perm;
      if (op == '-') allowed &= ~perm;
      if (op == '=') allowed = (allowed & ~mask) | perm;
      if (p < m.size() && m[p] == ',') ++p;
    }
    value = ~allowed & 0777;
  }
  ::umask(value);
  return 0;
}

}  // namespace stsh::shell
