// The shell's state and its executor: what a parsed Program does. Every external command is
// launched through the supervisor under the login's policy; what the shell does itself
// (redirections, cd, globbing) goes through ShellFs under the same policy. The shell never
// forks on its own: a builtin runs in the shell and its output is buffered, so a builtin in a
// pipeline cannot block the shell while the commands it feeds wait for the supervisor.
#pragma once

#include <poll.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "enforcer/program_lookup.h"
#include "enforcer/supervisor.h"
#include "enforcer/violation_log.h"
#include "policy/plan.h"
#include "policy/user.h"
#include "shell/ast.h"
#include "shell/expand.h"
#include "shell/io_pump.h"
#include "shell/jobs.h"
#include "shell/shell_fs.h"
#include "shell/terminal.h"

namespace stsh::shell {

class History;

class Shell final : public ExpansionContext {
 public:
  Shell(const policy::Plan& plan, policy::UserInfo user, enforcer::ViolationLog& log,
        enforcer::Supervisor& supervisor, policy::Mode mode, std::vector<std::string> environment);

  // Parses and runs `source`; a syntax error is reported with its position and runs nothing
  // (status 2, like bash).
  int run_text(const std::string& source);
  int run(const Program& program);

  // --- state the builtins and the interactive loop use ---
  const policy::Plan& plan() const { return *plan_; }
  const policy::UserInfo& user() const { return user_; }
  enforcer::ViolationLog& log() { return *log_; }
  ShellFs& fs() { return fs_; }
  JobTable& jobs() { return jobs_; }
  Terminal* terminal() { return terminal_; }
  void set_terminal(Terminal* terminal) { terminal_ = terminal; }
  History* history() { return history_; }
  int supervisor_event_fd() const { return supervisor_->event_fd(); }
  // A signalfd for SIGHUP and SIGTERM (the interactive loop's): watched while commands run,
  // so a hang-up ends the session at once even though the shell blocks those signals.
  void set_signal_fd(int fd) { signal_fd_ = fd; }
  void set_history(History* history) { history_ = history; }

  void set_variable(const std::string& name, std::string value, bool exported = false);
  void unset_variable(const std::string& name);
  void export_variable(const std::string& name);
  // NAME=value for every exported variable, scrubbed as the policy says.
  std::vector<std::string> environment() const;
  const std::string& cwd() const { return cwd_; }
  void set_cwd(std::string cwd);

  void request_exit(int status) {
    exit_requested_ = true;
    exit_status_ = status;
  }
  bool exit_requested() const { return exit_requested_; }
  int exit_status() const { return exit_status_; }
  void set_last_status(int status) { last_status_ = status; }
  // SIGKILL to every process of every job.
  void kill_jobs();

  // Whether the session has reached the policy's warning_limit. The first time it has, says so
  // on the terminal and in syslog and asks the session to end (status 1).
  bool over_warning_limit();

  // Runs the supervisor's work that is ready (background jobs), without blocking.
  void service_background();
  // For a loop that waits on its own descriptors too (the terminal): appends what the
  // background work needs polled, then handles what poll reported from `first` on.
  void add_background_fds(std::vector<pollfd>& fds) const;
  void on_background_ready(const std::vector<pollfd>& fds, size_t first);
  // "[1]+  Done   make" lines for background jobs that ended since the last call.
  std::string finished_jobs_report();
  // Puts `job` in the foreground (terminal and all) until it ends or stops; its $? value.
  int wait_foreground(Job& job);
  // The program `name` resolves to for this user, as `type` and the executor see it.
  enforcer::ProgramLookup lookup(const std::string& name) const;

  // --- ExpansionContext ---
  std::optional<std::string> variable(std::string_view name) override;
  int last_status() override { return last_status_; }
  std::string home() override { return user_.home; }
  Result<std::string> command_substitution(const Program& program) override;
  std::optional<std::vector<std::string>> list_directory(const std::string& dir) override;

 private:
  struct Variable {
    std::string value;
    bool exported = false;
  };
  struct Stage;
  class SubshellScope;

  int run_and_or(const AndOr& item, const Program& program, std::string* capture);
  // Runs one pipeline; `capture` (command substitution) receives its standard output.
  int run_pipeline(const Pipeline& pipeline, bool background, const std::string& text,
                   std::string* capture);
  bool prepare_stage(const SimpleCommand& command, Stage& stage);
  void start_stage(Stage& stage, pid_t& pgid, std::vector<pid_t>& pids, bool foreground_group);
  // Polls the supervisor and the pump until `done` holds.
  template <typename Done>
  void wait_until(Done done);
  void warn(const std::string& message);
  // The client is gone (our standard output hung up): end every job and the session.
  void on_hangup();

  const policy::Plan* plan_;
  policy::UserInfo user_;
  enforcer::ViolationLog* log_;
  enforcer::Supervisor* supervisor_;
  policy::Mode mode_;
  ShellFs fs_;
  JobTable jobs_;
  IoPump pump_;
  Terminal* terminal_ = nullptr;
  History* history_ = nullptr;
  std::map<std::string, Variable> variables_;
  std::string cwd_;
  int last_status_ = 0;
  pid_t last_background_ = 0;
  bool exit_requested_ = false;
  bool limit_reported_ = false;
  bool hung_up_ = false;
  int substitution_status_ = -1;
  int signal_fd_ = -1;  // of the last command substitution, for NAME=$(cmd)
  int exit_status_ = 0;
};

}  // namespace stsh::shell
