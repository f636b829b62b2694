// Tab completion that offers only what the user may use: commands the policy lets them run,
// and paths in directories the policy lets them list. readline's own filename completion
// (which would read any directory, unconfined) is switched off.
#pragma once

#include <string>
#include <vector>

namespace stsh::shell {

class Shell;

// The names in PATH (and the builtins are not included) whose programs the login's policy
// permits, sorted, without duplicates.
std::vector<std::string> permitted_commands(Shell& shell);

// Completions of `word`: commands when `command_position`, else paths.
std::vector<std::string> complete(Shell& shell, const std::string& word, bool command_position);

// Installs the readline hooks for `shell` (which must outlive readline's use of them).
void install_completion(Shell& shell);

}  // namespace stsh::shell
