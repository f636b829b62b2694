// The stsh-policy subcommands that write policies and reports: import, report, learn. Each
// takes the arguments after its name and returns the exit status; main only dispatches.
#pragma once

#include <string>
#include <vector>

namespace stsh::policy {

int import_command(const std::vector<std::string>& args);
int report_command(const std::vector<std::string>& args);
// `self` is argv[0] of stsh-policy, to find stsh-run next to it.
int learn_command(const std::vector<std::string>& args, const std::string& self);

}  // namespace stsh::policy
