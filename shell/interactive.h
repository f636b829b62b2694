// The interactive loop: readline in callback mode, polled together with the supervisor (so
// background jobs are served while the user types) and a signalfd for Ctrl-C and resizes.
#pragma once

#include <string>

namespace stsh::shell {

class Shell;
class History;
class Terminal;

// Expands the prompt escapes \u \h \H \w \W \$ \n \\ of `format`.
std::string expand_prompt(const std::string& format, Shell& shell);

// Reads and runs command lines until Ctrl-D, exit, the idle timeout or the warning limit.
// Returns the session's exit status.
int run_interactive(Shell& shell, Terminal& terminal, History& history);

}  // namespace stsh::shell
