#include <sys/syscall.h>

#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

bool is_reserved_word(const std::string& name) {
  static constexpr const char* kWords[] = {"!",  "{",    "}",     "case", "do",   "done",
                                           "elif", "else", "esac", "fi",   "for",  "if",
                                           "in",   "then", "until", "while"};
  for (const char* w : kWords) {
    if (name == w) return true;
  }
  return false;
}

// type name ...: a function, keyword or builtin, or the program the name runs and whether the policy lets it run.
STSH_BUILTIN(type) {
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& name = argv[i];
    if (const auto a = shell.aliases().find(name); a != shell.aliases().end()) {
      io.out += name + " is an alias for " + a->second + "\n";
      continue;
    }
    if (shell.function(name)) {
      io.out += name + " is a shell function\n";
      continue;
    }
    if (is_reserved_word(name)) {
      io.out += name + " is a shell keyword\n";
      continue;
    }
    if (find_builtin(name)) {
      io.out += name + " is a shell builtin\n";
      continue;
    }
    const enforcer::ProgramLookup found = shell.lookup(name);
    if (found.error != 0) {
      io.err += "stsh: type: " + name + ": not found\n";
      status = 127;  // as dash, and as running it would
      continue;
    }
    policy::Call call;
    call.syscall = SYS_execve;
    call.filename = found.path;
    call.argv = {name};
    const bool permitted = shell.plan().decide(shell.plan().login(), call).permitted();
    io.out +=
        name + " is " + found.path + (permitted ? "" : " (not permitted by your policy)") + "\n";
  }
  return status;
}

}  // namespace stsh::shell
