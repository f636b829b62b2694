#include "enforcer/program_lookup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace stsh::enforcer {
namespace {

ProgramLookup candidate(const std::string& p) {
  struct stat st {};
  if (stat(p.c_str(), &st) != 0) return {{}, errno};
  if (S_ISDIR(st.st_mode)) return {{}, EISDIR};
  if (access(p.c_str(), X_OK) != 0) return {{}, errno};
  char buf[PATH_MAX];
  if (realpath(p.c_str(), buf) == nullptr) return {{}, errno};
  return {buf, 0};
}

}  // namespace

ProgramLookup find_program(const std::string& name, const std::string& path_var) {
  if (name.empty()) return {{}, ENOENT};
  if (name.find('/') != std::string::npos) return candidate(name);
  // Like execvp: a file found but not executable is remembered, and reported if nothing
  // later in PATH is.
  int error = ENOENT;
  size_t start = 0;
  while (start <= path_var.size()) {
    const size_t end = std::min(path_var.find(':', start), path_var.size());
    const std::string dir = path_var.substr(start, end - start);
    if (!dir.empty()) {
      ProgramLookup found = candidate(dir + "/" + name);
      if (found.error == 0) return found;
      if (found.error == EACCES) error = EACCES;
    }
    start = end + 1;
  }
  return {{}, error};
}

}  // namespace stsh::enforcer
