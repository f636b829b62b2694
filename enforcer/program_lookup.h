// Finding the program a command name means, as execvp(3) would: a name with a '/' is a path,
// anything else is looked up in PATH. The result is canonical (symlinks resolved), which is
// what the supervisor decides and verifies.
#pragma once

#include <string>

namespace stsh::enforcer {

struct ProgramLookup {
  std::string path;  // canonical; empty when not found
  int error = 0;     // ENOENT (not found), EACCES (found, not executable), ...
};

ProgramLookup find_program(const std::string& name, const std::string& path_var);

}  // namespace stsh::enforcer
