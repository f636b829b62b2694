#include "shell/builtins.h"
#include "shell/shell.h"

namespace stsh::shell {

std::string shell_quote(const std::string& value);  // set.cc

// alias [NAME[=value] ...]. An alias replaces a command name written plainly (unquoted, not
// from an expansion) by its value's words; it is not re-parsed, so an alias cannot hold
// operators or keywords (see stsh(1)).
STSH_BUILTIN(alias) {
  auto& aliases = shell.aliases();
  if (argv.size() == 1) {
    for (const auto& [name, value] : aliases) io.out += name + "=" + shell_quote(value) + "\n";
    return 0;
  }
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    const size_t eq = argv[i].find('=');
    if (eq == std::string::npos) {
      const auto it = aliases.find(argv[i]);
      if (it == aliases.end()) {
        io.err += "stsh: alias: " + argv[i] + ": not found\n";
        status = 1;
      } else {
        io.out += it->first + "=" + shell_quote(it->second) + "\n";
      }
      continue;
    }
    aliases[argv[i].substr(0, eq)] = argv[i].substr(eq + 1);
    shell.alias_defined(argv[i].substr(0, eq));
  }
  return status;
}

// unalias [-a] NAME ...
STSH_BUILTIN(unalias) {
  auto& aliases = shell.aliases();
  int status = 0;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "-a") {
      aliases.clear();
      continue;
    }
    if (aliases.erase(argv[i]) == 0) {
      io.err += "stsh: unalias: " + argv[i] + ": not found\n";
      status = 1;
    }
  }
  return status;
}

}  // namespace stsh::shell
