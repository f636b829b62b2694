// Subshell processes: what runs asynchronously or beside other stages — a background
// compound command or && list, a builtin, function or compound command in a pipeline — runs
// in a forked copy of the shell (a worker), as dash forks a subshell. The shell is the
// supervisor and stays the only one: a worker never launches a command itself. It cannot
// exec at all (a seccomp filter it installs first kills execve and execveat with EPERM); it
// asks the shell over its channel to launch each command through the supervisor, and learns
// what happened to those commands from the shell. Its own file actions (redirections, cd,
// globbing) go through ShellFs under the same policy, and their records go to the shell's
// log. Confined commands cannot signal a worker, as they cannot signal the shell (Landlock
// scoping).
//
// The channel: a stream socket of requests (worker -> shell, each answered in turn) and a
// datagram socket of events (shell -> worker: the waitpid-style changes of the commands the
// worker launched and of the workers it started).
#pragma once

#include <poll.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "enforcer/supervisor.h"
#include "enforcer/unique_fd.h"
#include "enforcer/violation_log.h"
#include "shell/launcher.h"

namespace stsh::shell {

// The worker's ends of a new channel.
struct WorkerEnds {
  UniqueFd requests;
  UniqueFd events;
};

// The shell's side: every worker's channel, whoever started the worker.
class WorkerHub {
 public:
  static constexpr int kShell = -1;  // owner: the shell itself

  // A channel for a worker started by `owner` (a channel id, or kShell): its id and the
  // worker's ends.
  std::optional<std::pair<int, WorkerEnds>> open(int owner);
  // The worker on channel `id` is process `pid`.
  void set_pid(int id, pid_t pid);

  void add_to(std::vector<pollfd>& fds) const;
  // Serves the requests that are ready. Ends of workers the shell itself started are
  // appended to `for_shell`; `record` writes a worker's violation records.
  void on_ready(const std::vector<pollfd>& fds, size_t first, Launcher& launcher,
                const policy::CommandPolicy& login,
                const std::function<void(const enforcer::Violation&)>& record,
                std::vector<enforcer::ProcessEvent>& for_shell);
  // Supervisor events: those of commands launched for a worker go to it; the rest returned.
  std::vector<enforcer::ProcessEvent> route(std::vector<enforcer::ProcessEvent> events);
  // SIGKILL to every worker and every command launched for one.
  void kill_all();
  // In a new worker: the copies of the shell's ends are not ours (already closed).
  void abandon();

 private:
  struct Channel {
    UniqueFd requests;
    UniqueFd events;
    int owner = kShell;
    pid_t pid = 0;
    std::optional<int> status;  // what the worker said it ends with
  };
  // The worker on `id` is gone: its owner learns how it ended.
  void close_channel(int id, std::vector<enforcer::ProcessEvent>& for_shell);
  void deliver(int owner, const enforcer::ProcessEvent& e,
               std::vector<enforcer::ProcessEvent>& for_shell);
  // One request from channel `id`; false when the channel is at its end.
  bool serve(int id, Launcher& launcher, const policy::CommandPolicy& login,
             const std::function<void(const enforcer::Violation&)>& record,
             std::vector<enforcer::ProcessEvent>& for_shell);

  std::map<int, Channel> channels_;
  std::map<pid_t, int> launched_;  // command -> the channel it was launched for
  std::set<std::string> rules_;    // forwarded records' rules (Decision::rule points here)
  int next_id_ = 0;
};

// The worker's side: commands launched by the shell, over the channel.
class WorkerLauncher final : public Launcher {
 public:
  explicit WorkerLauncher(WorkerEnds ends);
  Result<pid_t> launch(const enforcer::LaunchSpec& spec,
                       const policy::CommandPolicy& starter) override;
  [[nodiscard]] int event_fd() const override { return ends_.events.get(); }
  std::vector<enforcer::ProcessEvent> poll() override;

  // A channel for a worker this one starts, then that worker's pid.
  std::optional<std::pair<int, WorkerEnds>> connect();
  void child(int id, pid_t pid);
  void record(const enforcer::Violation& v);
  // How this worker ends (a waitpid-style status), said before it does.
  void say_exit(int status);
  [[nodiscard]] int request_fd() const { return ends_.requests.get(); }

 private:
  WorkerEnds ends_;
};

// In a new worker, before anything else: no exec from here on (seccomp: execve and execveat
// fail with EPERM), no new privileges, killed with its parent. false: the worker must end.
bool forbid_exec();

// Installs, for the signals that would end the worker, a handler that first tells the shell
// (over `events_fd`, its channel's datagram socket) that it was killed by that signal.
void report_fatal_signals(int events_fd, const std::set<int>& ignored);

}  // namespace stsh::shell
