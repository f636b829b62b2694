// One stage of a pipeline between preparation and start: its expanded words, and the
// descriptors it will start with after its redirections.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "enforcer/unique_fd.h"
#include "shell/shell.h"

namespace stsh::shell {

struct Builtin;

struct Shell::Stage {
  enum class Kind : uint8_t { external, builtin, function, compound, assignments };
  Kind kind = Kind::external;
  const SimpleCommand* command = nullptr;  // what was prepared
  const Builtin* builtin = nullptr;
  // The body of the function called: held, since the function may redefine itself.
  std::shared_ptr<const SimpleCommand> function;
  bool exec = false;  // `exec CMD`: the shell ends with CMD's status
  // A special builtin (or `local`, as dash has it) not run by `command`: its errors end a
  // non-interactive shell (XCU 2.8.1), its assignments stay.
  bool special = false;
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

  bool in_shell() const { return kind != Kind::external; }

  bool failed = false;  // expansion or a redirection failed: the stage does not run
  int status = 0;       // its status unless it is an external command
  pid_t pid = 0;        // set when launched
};

}  // namespace stsh::shell
