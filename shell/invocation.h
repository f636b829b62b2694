// How stsh was started: the command line (as sshd, login(1) and admins start it) and, for a
// command from ssh, which of the policy's ssh toggles governs it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/session.h"

namespace stsh::shell {

struct Invocation {
  bool login = false;                  // argv[0] starts with '-', or -l
  std::optional<std::string> command;  // -c COMMAND, or SSH_ORIGINAL_COMMAND
  std::string policy_file;             // --policy FILE
  std::string policy_dir;              // --policy-dir DIR
  bool help = false;
  bool version = false;
  // stsh FILE [arg ...]: the script (read through the policy), and $1...
  std::optional<std::string> script;
  bool read_stdin = false;          // -s: commands from standard input, args are $1...
  std::optional<std::string> arg0;  // -c COMMAND NAME: $0
  std::vector<std::string> args;    // the positional parameters
  std::string set_options;          // -e -u -x -f -C -v given to stsh, as letters
};

// Parses argv; an error message for a usage error.
std::optional<Invocation> parse_invocation(int argc, char** argv, std::string& error);

// Which ssh toggle a command line from sshd falls under: "scp" (scp -t / scp -f), "sftp"
// (the sftp-server subsystem), "rsync" (rsync --server) or "command".
std::string ssh_kind(const std::string& command);

// Whether that toggle is on in `ssh`.
bool ssh_permits(const policy::SshToggles& ssh, const std::string& kind);

extern const char* const kUsage;

}  // namespace stsh::shell
