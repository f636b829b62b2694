// Shell::SubshellScope: the state a subshell keeps to itself (executor.cc, compound.cc).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "shell/shell.h"

namespace stsh::shell {

// What a subshell would keep to itself: a subshell ( ... ), a command substitution, or the
// preparation of a pipeline of several stages (whose stages then run in subshell processes)
// runs in the shell, so its cd, umask, ulimits, variables, functions, options, traps, positional parameters,
// aliases and `exec` redirections are undone after.
class Shell::SubshellScope {
 public:
  explicit SubshellScope(Shell& shell)
      : shell_(shell),
        cwd_(shell.cwd_),
        dir_(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)),
        umask_(current_umask()),
        limits_(shell.limits_),
        variables_(shell.variables_),
        locals_(shell.locals_),
        positional_(shell.positional_),
        options_(shell.options_),
        functions_(shell.functions_),
        traps_(shell.traps_),
        aliases_(shell.aliases_),
        io_(shell.io_),
        feedable_(shell.feedable_),
        kept_(shell.kept_fds_),
        loop_depth_(shell.loop_depth_),
        function_depth_(shell.function_depth_),
        dot_depth_(shell.dot_depth_) {
    // A subshell starts with the traps' actions reset (ignores stay, XCU 2.12). The signals
    // stay blocked: one that comes meanwhile waits for the shell's own action, after.
    std::erase_if(shell.traps_, [](const auto& t) { return !t.second.empty(); });
    ++shell.subshell_depth_;
    // break and return do not reach out of a subshell.
    shell.loop_depth_ = 0;
    shell.function_depth_ = 0;
    shell.dot_depth_ = 0;
  }
  ~SubshellScope() {
    --shell_.subshell_depth_;
    if (shell_.cwd_ != cwd_ && dir_ && fchdir(dir_.get()) == 0) shell_.set_cwd(cwd_);
    ::umask(umask_);
    shell_.limits_ = std::move(limits_);
    shell_.variables_ = std::move(variables_);
    shell_.locals_ = std::move(locals_);
    shell_.positional_ = std::move(positional_);
    shell_.options_ = options_;
    shell_.functions_ = std::move(functions_);
    const bool traps_changed = shell_.traps_ != traps_;
    shell_.traps_ = std::move(traps_);
    if (traps_changed) shell_.apply_traps();
    shell_.aliases_ = std::move(aliases_);
    shell_.io_ = std::move(io_);
    shell_.feedable_ = std::move(feedable_);
    shell_.kept_fds_ = std::move(kept_);
    shell_.loop_depth_ = loop_depth_;
    shell_.function_depth_ = function_depth_;
    shell_.dot_depth_ = dot_depth_;
    shell_.flow_ = Flow::none;
  }
  SubshellScope(const SubshellScope&) = delete;
  SubshellScope& operator=(const SubshellScope&) = delete;

  // `exit` inside ends the subshell, not the session (a hang-up or the warning limit still
  // end both); the status is exit's.
  int finish(int status) {
    if (shell_.exit_requested_ && !exiting_before_ && !shell_.hung_up_ &&
        !shell_.limit_reported_) {
      shell_.exit_requested_ = false;
      shell_.error_exit_ = false;
      status = shell_.exit_status_;
    }
    // Its own EXIT trap runs as it ends; `exit` there sets the status.
    const auto exit_trap = shell_.traps_.find("EXIT");
    if (exit_trap != shell_.traps_.end() && !exit_trap->second.empty() && !exiting_before_ &&
        !shell_.hung_up_ && !shell_.limit_reported_) {
      const std::string action = exit_trap->second;
      shell_.traps_.erase(exit_trap);
      shell_.flow_ = Flow::none;
      shell_.last_status_ = status;
      shell_.run_source(action);
      if (shell_.exit_requested_) {
        shell_.exit_requested_ = false;
        shell_.error_exit_ = false;
        status = shell_.exit_status_;
      }
    }
    return status;
  }

 private:
  Shell& shell_;
  std::string cwd_;
  UniqueFd dir_;
  mode_t umask_;
  std::map<int, enforcer::LaunchLimit> limits_;
  std::map<std::string, Variable> variables_;
  std::vector<std::map<std::string, std::optional<Variable>>> locals_;
  std::vector<std::string> positional_;
  ShellOptions options_;
  std::map<std::string, std::shared_ptr<const SimpleCommand>> functions_;
  std::map<std::string, std::string> traps_;
  std::map<std::string, std::string> aliases_;
  std::map<int, int> io_;
  std::set<int> feedable_;
  std::vector<std::shared_ptr<UniqueFd>> kept_;
  int loop_depth_;
  int function_depth_;
  int dot_depth_;
  bool exiting_before_ = shell_.exit_requested_;
};

}  // namespace stsh::shell
