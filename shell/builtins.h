// Builtins: one per file in shell/builtins/, one signature, output into buffers the executor
// delivers (to the terminal, a file, or a pipe fed by the pump), a sorted table checked at
// compile time.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stsh::shell {

class Shell;

struct BuiltinIo {
  int in = -1;  // standard input after redirections (read reads it)
  std::string out;
  std::string err;
  // What XCU 2.8.1 calls a special built-in utility error (a bad option, operand or name):
  // it ends a non-interactive shell when the builtin runs as a special one, not by `command`.
  bool utility_error = false;
};

// Reports a utility error: the message on standard error, status 2 (as dash).
inline int utility_error(BuiltinIo& io, const std::string& message) {
  io.err += message + "\n";
  io.utility_error = true;
  return 2;
}

// Where a builtin that takes no options (or only `allowed`) finds its first operand: after a
// "--", else argv[1]. 0 when argv[1] is an option it does not take: that is reported as a
// utility error ("stsh: NAME: -x: invalid option"), and the builtin returns 2.
inline size_t first_operand(const std::vector<std::string>& argv, BuiltinIo& io,
                            const std::string& name, const std::string& allowed = "") {
  if (argv.size() < 2) return 1;
  const std::string& a = argv[1];
  if (a == "--") return 2;
  if (a.size() > 1 && a[0] == '-' && a != allowed) {
    utility_error(io, "stsh: " + name + ": " + a + ": invalid option");
    return 0;
  }
  return 1;
}

using BuiltinFunction = int (*)(Shell&, const std::vector<std::string>& argv, BuiltinIo&);

struct Builtin {
  std::string_view name;
  BuiltinFunction run;
  std::string_view synopsis;  // for help
};

// nullptr when `name` is not a builtin.
const Builtin* find_builtin(std::string_view name);
std::span<const Builtin> all_builtins();

#define STSH_BUILTIN(name) \
  int builtin_##name(Shell& shell, const std::vector<std::string>& argv, BuiltinIo& io)

STSH_BUILTIN(alias);
STSH_BUILTIN(bg);
STSH_BUILTIN(break);
STSH_BUILTIN(cd);
STSH_BUILTIN(colon);
STSH_BUILTIN(command);
STSH_BUILTIN(dot);
STSH_BUILTIN(echo);
STSH_BUILTIN(eval);
STSH_BUILTIN(exec);
STSH_BUILTIN(exit);
STSH_BUILTIN(export);
STSH_BUILTIN(false);
STSH_BUILTIN(fg);
STSH_BUILTIN(getopts);
STSH_BUILTIN(help);
STSH_BUILTIN(history);
STSH_BUILTIN(jobs);
STSH_BUILTIN(kill);
STSH_BUILTIN(local);
STSH_BUILTIN(policy);
STSH_BUILTIN(printf);
STSH_BUILTIN(pwd);
STSH_BUILTIN(read);
STSH_BUILTIN(readonly);
STSH_BUILTIN(return);
STSH_BUILTIN(set);
STSH_BUILTIN(shift);
STSH_BUILTIN(test);
STSH_BUILTIN(times);
STSH_BUILTIN(trap);
STSH_BUILTIN(type);
STSH_BUILTIN(ulimit);
STSH_BUILTIN(umask);
STSH_BUILTIN(unalias);
STSH_BUILTIN(unset);
STSH_BUILTIN(wait);

}  // namespace stsh::shell
