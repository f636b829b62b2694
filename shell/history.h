// The per-user history file, read and written through ShellFs (so it is subject to the
// policy like any other file the shell touches) and kept in readline's history list.
#pragma once

#include <string>
#include <vector>

#include "shell/shell_fs.h"

namespace stsh::shell {

class History {
 public:
  // `path` is ~/.stsh_history; `size` the policy's history size (0 keeps none).
  History(ShellFs& fs, std::string path, unsigned size);

  // Reads the saved lines, if the file exists and may be read.
  void load();
  void add(const std::string& line);
  // Writes the last `size` lines back, whole or not at all (see history.cc); false, with a
  // message on standard error, when it could not. A policy that does not let the login write
  // the file keeps none, without a record.
  bool save();
  std::vector<std::string> lines() const;

 private:
  ShellFs* fs_;
  std::string path_;
  unsigned size_;
};

}  // namespace stsh::shell
