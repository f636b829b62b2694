// The shell's state and its executor: what a parsed Program does. Every external command is
// launched through the supervisor under the login's policy; what the shell does itself
// (redirections, cd, globbing) goes through ShellFs under the same policy. A builtin run in
// the shell has its output fed through the pump, so it cannot block the shell while the
// commands it feeds wait for the supervisor; what must run beside the shell (a pipeline's
// in-shell stages, background compound commands) runs in a subshell process that cannot
// exec and launches through the shell (shell/worker.h).
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "enforcer/program_lookup.h"
#include "enforcer/supervisor.h"
#include "enforcer/violation_log.h"
#include "policy/plan.h"
#include "policy/user.h"
#include <functional>

#include "shell/ast.h"
#include "shell/expand.h"
#include "shell/io_pump.h"
#include "shell/jobs.h"
#include "shell/launcher.h"
#include "shell/shell_fs.h"
#include "shell/terminal.h"
#include "shell/worker.h"

namespace stsh::shell {

class History;

// getopts' position at the start of a function call: its first argument, whatever OPTIND says.
inline constexpr const char* kFunctionStart = "function";

// The options of `set` (XCU 2.14 set): -e -u -x -f -C, and -v accepted and ignored.
struct ShellOptions {
  bool errexit = false;    // -e
  bool nounset = false;    // -u
  bool xtrace = false;     // -x
  bool noglob = false;     // -f
  bool noclobber = false;  // -C
  bool verbose = false;    // -v
};

// break, continue and return unwind the lists between the builtin and its loop or function.
enum class Flow : uint8_t { none, break_loop, continue_loop, return_function };

class Shell final : public ExpansionContext {
 public:
  Shell(const policy::Plan& plan, policy::UserInfo user, enforcer::ViolationLog& log,
        Launcher& launcher, policy::Mode mode, std::vector<std::string> environment);

  // Runs `source` (stsh -c) command by command, as run_script does: what parsed runs before
  // the next command is read, so a syntax error late in the text comes after what precedes it
  // has run, as in dash.
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
  // A signalfd for SIGHUP and SIGTERM (the interactive loop's, which reads `mask`): watched
  // while commands run, so a hang-up ends the session at once even though the shell blocks
  // those signals. Trapped signals are added to it (or to one of the shell's own).
  void set_signal_fd(int fd, const sigset_t& mask);
  void set_history(History* history) { history_ = history; }

  void set_variable(const std::string& name, std::string value, bool exported = false);
  // An error message when `name` is read-only (the variable is left as it was).
  std::optional<std::string> try_set_variable(const std::string& name, std::string value,
                                              bool exported = false);
  bool unset_variable(const std::string& name);  // false: read-only
  void export_variable(const std::string& name);
  void make_readonly(const std::string& name);
  bool is_readonly(const std::string& name) const;
  // NAME value exported readonly, sorted by name: for `set`, `export -p`, `readonly -p`.
  struct VariableView {
    std::string name;
    std::string value;
    bool exported = false;
    bool readonly = false;
    bool set = true;
  };
  std::vector<VariableView> variables() const;
  // `local NAME`: saved now, restored when the innermost function returns. false outside
  // functions.
  bool make_local(const std::string& name);
  // `local -`: the options (set -e, -u, ...) go back to what they are now when the innermost
  // function returns, as in dash. false outside functions.
  bool make_options_local();

  // Positional parameters ($0 apart).
  std::vector<std::string>& positional() { return positional_; }
  void set_arg0(std::string arg0) { arg0_ = std::move(arg0); }
  ShellOptions& options() { return options_; }
  std::string option_letters() const;  // $-
  bool interactive() const { return terminal_ != nullptr; }
  // $$: the shell's process, also inside a subshell process.
  pid_t shell_pid() const { return shell_pid_; }

  std::map<std::string, std::string>& aliases() { return aliases_; }
  // An alias applies to commands read after the one that defined it (dash expands aliases as
  // it parses): `alias e=echo; e hi` on one line does not use it.
  void alias_defined(const std::string& name) { fresh_aliases_.insert(name); }
  // getopts' place inside a group of options (-abc): "OPTIND:offset", or kFunctionStart.
  std::string& getopts_position() { return getopts_position_; }

  // Functions.
  std::shared_ptr<const SimpleCommand> function(const std::string& name) const;
  bool unset_function(const std::string& name);
  std::vector<std::string> function_names() const;

  // break/continue/return.
  void set_flow(Flow flow, int count) {
    flow_ = flow;
    flow_count_ = count;
  }
  int loop_depth() const { return loop_depth_; }
  int function_depth() const { return function_depth_ + dot_depth_; }
  void set_return_status(int status) { return_status_ = status; }

  // Traps: the command for a condition ("EXIT", "INT", ...), empty for ignored; no entry for
  // the default. After a change, apply_traps() makes the signals' handling follow.
  std::map<std::string, std::string>& traps() { return traps_; }
  // A signal with a trap is blocked and read from the signal descriptor, and its action runs
  // between commands (XCU 2.11: after the foreground command ends; `wait` returns at once);
  // an ignored one is SIG_IGN; the others are as the shell started with them.
  void apply_traps();
  // The signals a command this shell starts begins with ignored (LaunchSpec::ignored_signals):
  // those a trap ignores, those kept ignored (below) and, for an asynchronous command without
  // job control, SIGINT and SIGQUIT (XCU 2.11). Every other one starts at its default.
  std::vector<int> ignored_for_commands(bool asynchronous) const;
  // Signals ignored for good: those a non-interactive shell was started ignoring (nohup), and
  // SIGINT and SIGQUIT in an asynchronous subshell without job control. A trap on one of
  // them changes nothing, as in dash.
  // `ulimit`: the limits commands get, by RLIMIT_* resource, where the user lowered them (the
  // shell's own stay: it is their supervisor). command_limit() is what a command gets now:
  // the user's, else the session's (the policy's, else the shell's own).
  std::map<int, enforcer::LaunchLimit>& limits() { return limits_; }
  enforcer::LaunchLimit command_limit(int resource) const;
  void keep_ignored(const std::set<int>& signals) { kept_ignored_.insert(signals.begin(), signals.end()); }
  bool kept_ignored(int sig) const { return kept_ignored_.count(sig) != 0; }
  // Whether `sig`, just read from a signal descriptor, is the traps' business (queued for
  // its action, or ignored) rather than the shell's own handling.
  bool take_signal(int sig);
  // Reads what the signal descriptor holds and runs the actions of the trapped signals that
  // arrived (with $? kept as it was). Not inside another trap action.
  void run_pending_traps();
  // The signal a `wait` was interrupted by, 0 if none (its action is pending).
  int pending_signal() const { return pending_signals_.empty() ? 0 : *pending_signals_.begin(); }
  // Runs the EXIT trap once, at the end of the shell; returns the status to exit with.
  int finish(int status);

  // `.` FILE: read through ShellFs (the policy decides), run in this shell.
  int source_file(const std::string& path, const std::vector<std::string>& args, std::string& err);
  // `eval`: parse and run in this shell; a syntax error is status 2.
  int eval_text(const std::string& text);
  // Runs a whole script (stsh FILE, stsh -s, standard input) command by command: what
  // parsed runs before the next command is read, as in dash. `next_line` gives the lines.
  int run_script(const std::function<bool(std::string&)>& next_line);

  // One byte of `fd` for `read`, while the supervisor and the pump go on: 1, 0 at the end,
  // -1 on an error (errno set).
  int read_byte(int fd, char& c);
  // `wait`: until the job (or all of them) ends; its status.
  int wait_for(Job* job);

  // The shell's own descriptors as commands see them: command fd -> our fd (after `exec 3>f`).
  const std::map<int, int>& io() const { return io_; }
  // NAME=value for every exported variable, scrubbed as the policy says.
  std::vector<std::string> environment() const;
  const std::string& cwd() const { return cwd_; }
  void set_cwd(std::string cwd);

  void request_exit(int status) {
    exit_requested_ = true;
    exit_status_ = status;
  }
  // An error XCU 2.8.1 says ends a non-interactive shell (a special builtin's, an expansion's,
  // an assignment's): the shell, or the subshell it happens in, ends with `status` — unless a
  // builtin that is not special (`command eval`, `command .`) is running the code that failed:
  // that builtin fails with the status instead, and the shell goes on, as dash unwinds to it.
  // An interactive shell goes on.
  void fatal_error(int status) {
    if (interactive() || exit_requested_) return;
    error_exit_ = true;
    request_exit(status);
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
  std::vector<std::string> positional_parameters() override { return positional_; }
  Status assign(const std::string& name, const std::string& value) override;
  bool nounset() override { return options_.nounset; }
  void on_fatal_expansion_error() override;
  int last_status() override { return last_status_; }
  std::string home() override { return user_.home; }
  Result<std::string> command_substitution(const Program& program) override;
  std::optional<std::vector<std::string>> list_directory(const std::string& dir) override;

 private:
  struct Variable {
    std::string value;
    bool exported = false;
    bool readonly = false;
    bool set = true;  // false: declared (export NAME, readonly NAME) but without a value
  };
  struct Stage;
  class SubshellScope;
  class IoScope;

  // A list: its and-or items in order, until exit, break, continue or return.
  int run_list(const Program& program);
  int run_and_or(const AndOr& item, const Program& program);
  int run_and_or_parts(const AndOr& item, const Program& program, bool background);
  int run_pipeline(const Pipeline& pipeline, bool background, const std::string& text);
  bool prepare_stage(const SimpleCommand& command, Stage& stage);
  void start_stage(Stage& stage, pid_t& pgid, std::vector<pid_t>& pids, bool foreground_group);
  // Builtins, functions, compound commands and bare assignments: run here, with the stage's
  // descriptors as the shell's own while they run.
  void run_in_shell(Stage& stage);
  int run_compound(const CompoundCommand& command);
  int run_loop(const CompoundCommand& command);
  int run_function(const SimpleCommand& body, const std::vector<std::string>& argv);
  // The text of a script run in this shell (., eval, stsh FILE).
  int run_source(const std::string& text);
  // Runs `body` in a subshell process (shell/worker.h) and returns its pid, or 0 after a
  // message. `keep`: the descriptors body uses besides the shell's own (io_); every other
  // one is closed there. `pgid` as LaunchSpec's (used only at a terminal).
  pid_t start_worker(pid_t pgid, bool background, const std::vector<int>& keep,
                     const std::function<int()>& body);
  // The supervisor's news: for the jobs, or for the workers whose commands they are.
  void poll_launcher();
  // The workers' channels, after poll() (`first` as for the pump).
  void on_workers_ready(const std::vector<pollfd>& fds, size_t first);
  // Whether the stage runs in the shell, and what it is.
  void classify(Stage& stage);
  void trace(const Stage& stage);
  int current_line() const;
  // Interactive: whether Ctrl-C was pressed while the shell itself was busy (a loop of
  // builtins), or a loop's command died of it; then every loop and list ends.
  bool interrupted();
  // Polls the supervisor and the pump (and `readable`, when given) until `done` holds.
  void wait_until(const std::function<bool()>& done, int readable = -1);
  void warn(const std::string& message);
  // The client is gone (our standard output hung up): end every job and the session.
  void on_hangup();
  // Reads signal_fd_ without waiting: traps queued, a hang-up or TERM ends the session,
  // Ctrl-C at a terminal interrupts.
  void drain_signals();
  // What one signal read from signal_fd_ does when no trap takes it.
  void default_signal(int sig);

  const policy::Plan* plan_;
  policy::UserInfo user_;
  enforcer::ViolationLog* log_;
  Launcher* supervisor_;
  policy::Mode mode_;
  ShellFs fs_;
  JobTable jobs_;
  IoPump pump_;
  WorkerHub workers_;                       // the shell's: every worker's channel
  std::unique_ptr<WorkerLauncher> worker_;  // in a worker: its way to the supervisor
  Terminal* terminal_ = nullptr;
  History* history_ = nullptr;
  std::map<std::string, Variable> variables_;
  std::vector<std::map<std::string, std::optional<Variable>>> locals_;  // per function call
  std::vector<std::optional<ShellOptions>> local_options_;  // likewise: what `local -` saved
  std::vector<std::string> positional_;
  std::string arg0_ = "stsh";
  ShellOptions options_;
  std::map<std::string, std::shared_ptr<const SimpleCommand>> functions_;
  std::map<std::string, std::string> traps_;
  std::map<std::string, std::string> aliases_;
  std::set<std::string> fresh_aliases_;  // defined since the running command was parsed
  std::string getopts_position_;
  bool exit_trap_done_ = false;
  Flow flow_ = Flow::none;
  int flow_count_ = 0;
  int return_status_ = 0;
  int loop_depth_ = 0;
  int function_depth_ = 0;
  int dot_depth_ = 0;
  // Functions, ., eval and command substitutions in progress, subshells or not: the shell's
  // own stack bounds them (a runaway recursion ends with a message, not a crash).
  int call_depth_ = 0;
  int errexit_suppressed_ = 0;  // in conditions, non-final parts of && || lists, ! pipelines
  bool fatal_expansion_ = false;
  bool interrupted_ = false;
  // What commands get as their descriptors (fd -> ours) and which of ours are pipes only we
  // write to; `exec` redirections stay open here.
  std::map<int, int> io_{{0, 0}, {1, 1}, {2, 2}};
  std::set<int> feedable_;
  std::vector<std::shared_ptr<UniqueFd>> kept_fds_;
  // $LINENO: the command being run, and the line its text starts on.
  const std::string* current_source_ = nullptr;
  size_t current_offset_ = 0;
  int line_base_ = 0;
  // The line each command of a script starts on, by its text: a function defined on line 4
  // says so when it is called from line 7. The texts are held, so no address is reused.
  std::map<const std::string*, std::pair<std::shared_ptr<const std::string>, int>> line_bases_;
  std::string cwd_;
  int last_status_ = 0;
  pid_t shell_pid_ = getpid();
  pid_t last_background_ = 0;
  bool exit_requested_ = false;
  bool limit_reported_ = false;
  bool hung_up_ = false;
  int substitution_status_ = -1;  // of the last command substitution, for NAME=$(cmd)
  int signal_fd_ = -1;
  sigset_t signal_fd_mask_{};  // what signal_fd_ was made to read, before traps
  UniqueFd own_signal_fd_;     // a non-interactive shell's, made for its first trap
  sigset_t base_blocked_{};    // the signals blocked before any trap
  bool traps_applied_ = false;
  std::set<int> trapped_;          // signals blocked and read for their traps
  std::map<int, struct sigaction> ignored_;  // ignored by a trap: what they were before
  std::set<int> kept_ignored_;               // see keep_ignored()
  std::map<int, enforcer::LaunchLimit> limits_;  // see limits()
  std::set<int> pending_signals_;  // arrived, action not yet run
  bool in_trap_ = false;
  int subshell_depth_ = 0;  // in-shell subshells being run
  bool error_exit_ = false;  // the exit requested is fatal_error's
  int exit_status_ = 0;
};

// The signals this process ignores now (SIGKILL and SIGSTOP aside): what a non-interactive
// shell keeps ignored when taken at its start.
std::set<int> signals_ignored_now();

// The process's file creation mask (umask(2) has no form that only reads it).
inline mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

}  // namespace stsh::shell
