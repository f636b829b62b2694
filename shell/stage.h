// One stage of a pipeline between preparation and start: its expanded words, and the
// descriptors it will start with after its redirections.
#pragma once

#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "enforcer/unique_fd.h"
#include "shell/shell.h"

namespace stsh::shell {

struct Shell::Stage {
  int input = 0;   // the stage's standard input before redirections (ours, or a pipe end)
  int output = 1;  // likewise its standard output
  bool output_is_our_pipe = false;

  std::vector<std::string> argv;
  std::vector<std::string> assignments;  // NAME=value, expanded
  // The command's descriptor -> ours, after redirections.
  std::map<int, int> fds;
  std::vector<UniqueFd> owned;  // what redirections opened
  // Our descriptors that are pipes only we write to (fed by the pump, never blocking).
  std::set<int> feedable;

  bool failed = false;  // expansion or a redirection failed: the stage does not run
  int status = 0;       // its status unless it is an external command
  pid_t pid = 0;        // set when launched
};

}  // namespace stsh::shell
