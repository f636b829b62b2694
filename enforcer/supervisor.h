// The supervisor tier (docs/ARCHITECTURE.md): ptrace (PTRACE_SEIZE with EXITKILL) over a
// seccomp filter that sends execve/execveat to us (SECCOMP_RET_TRACE). Every fork, vfork, clone
// and thread is followed from its first instruction; every exec is checked before it happens
// (for a friendly errno) and verified after the new image is loaded, before it runs one
// instruction, from /proc/PID/exe (race-free: TOCTOU rule (c)); the policy switches at exec.
//
// File and TCP access is bounded by a Landlock domain derived from the Plan
// (landlock_plan.h): race-free, in the kernel, but an over-approximation of the policy. Inside
// it, these go to the supervisor by seccomp user notification and are decided exactly, per
// command, on canonical paths and whole addresses, with the supervisor performing the call
// itself (the TOCTOU rule, case b): the open family (open_broker.h); unlink, rmdir, mkdir,
// rename, link, symlink (path_broker.h); stat, statx, statfs, access, readlink, chmod, chown,
// truncate, the utime family, the xattr calls and mknod, with their *at and l* forms
// (meta_broker.h); connect and bind (socket_broker.h); the destinations of sendto (with an
// address), sendmsg and sendmmsg (send_broker.h). chdir is decided, then run by the kernel
// (on_meta_notification says why that is safe). The dangerous syscalls of the kernel tier stop
// here too (SECCOMP_RET_TRACE) for their errno and their record (on_traced_denial).
// Not decided here: inotify_add_watch and fanotify_mark paths, calls on descriptors (fchmod,
// fchown, ...); and what Landlock alone denies gets no syslog record.
#pragma once

#include <sys/types.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <linux/seccomp.h>
#include <sys/user.h>
#include "enforcer/audit_client.h"
#include "enforcer/blocking_pool.h"
#include "enforcer/confinement.h"
#include "enforcer/kernel_filter.h"
#include "enforcer/landlock.h"
#include "enforcer/launch_state.h"
#include "enforcer/unique_fd.h"
#include "enforcer/violation_log.h"
#include "policy/plan.h"

namespace stsh::enforcer {

// No process-group change: the command stays in the supervisor's group (stsh-run).
inline constexpr pid_t kSameGroup = -1;

struct LaunchSpec {
  std::string path;               // absolute, canonical program to execute
  std::vector<std::string> argv;  // argv[0] as the program will see it
  std::vector<std::string> env;   // NAME=value
  std::string cwd;                // empty: inherit
  // The descriptors the command starts with, as {its number, our descriptor}. When non-empty,
  // every other descriptor is closed at exec; when empty, the command inherits ours.
  std::vector<std::pair<int, int>> fds{};
  // kSameGroup, 0 for a new process group led by the command, or the group to join (the
  // shell's pipelines: every stage in the first stage's group).
  pid_t pgid = kSameGroup;
  // A terminal the new group takes as its foreground before the program runs (-1: none), so
  // a foreground job reading the terminal at once is not stopped by SIGTTIN.
  int terminal = -1;
  // Signals the command starts ignoring (enforcer/launch_state.h); every other one starts
  // at its default, none blocked.
  std::vector<int> ignored_signals{};
  // The command's file creation mask: its shell's (a user's `umask 077` reaches the commands
  // after it); unset, the session's from the policy.
  std::optional<mode_t> umask{};
  // Limits the command's shell set with `ulimit`, applied after the session's: each only
  // lowers (a value above the session's hard limit is cut to it).
  std::vector<LaunchLimit> limits{};
};

// A change of state of a launched process, as waitpid(2) reports it: WIFEXITED, WIFSIGNALED,
// WIFSTOPPED (the process entered a group stop: Ctrl-Z) or WIFCONTINUED.
struct ProcessEvent {
  pid_t pid = 0;
  int status = 0;
};

class Supervisor {
 public:
  // `plan` and `log` must outlive the supervisor.
  // `mode` is the session's (a tool may override the Plan's, e.g. stsh-run --mode audit).
  // SIGCHLD stays blocked in the calling process from here on (it arrives through a signalfd);
  // the supervisor must be the only thing in the process that starts or waits for children.
  // `route`: supervisor forces the supervisor route (stsh-run --route supervisor, tests);
  // automatic follows the policy's logging.kernel_denials (docs/ARCHITECTURE.md,
  // "Per-command confinement").
  enum class Route { automatic, supervisor };
  static Result<Supervisor> create(const policy::Plan& plan, ViolationLog& log, policy::Mode mode,
                                   Route route = Route::automatic);

  Supervisor(Supervisor&&) noexcept = default;
  Supervisor& operator=(Supervisor&&) noexcept = default;
  ~Supervisor();

  // Starts `spec` confined, running under `starter` (the login, or a command's policy) until
  // its exec switches the policy. Returns the pid; the child has not run the program yet.
  // Any number of commands may run at once (a pipeline, background jobs).
  Result<pid_t> launch(const LaunchSpec& spec, const policy::CommandPolicy& starter);

  // Readable whenever the supervisor has work (a stop, a notification, a child's exit): a
  // shell polls it with the terminal and calls poll(0) when it is.
  [[nodiscard]] int event_fd() const { return epoll_.get(); }

  // Does the supervisor's work for up to `timeout_ms` (-1: until something happens to a
  // launched process) and returns what happened to launched processes. When a launched
  // process exits, everything it started is killed: none outlives the command it belongs to.
  std::vector<ProcessEvent> poll(int timeout_ms);

  // Supervises until `main` exits and the processes it started are gone, and returns its wait
  // status.
  int run_until_exit(pid_t main);

  // Confined processes still known (running, stopped, or killed and not yet reaped).
  [[nodiscard]] size_t confined_count() const { return tasks_.size() + unclaimed_.size(); }

  // "kernel (denials recorded by stsh-audit)", "supervisor (stsh-audit is not running: ...)":
  // for the session's start record.
  [[nodiscard]] const std::string& route() const { return route_; }

 private:
  struct Task {
    const policy::CommandPolicy* policy = nullptr;
    std::string checked_path;  // the program the last exec pre-check permitted
    pid_t tgid = 0;            // its process; 0 until first needed
    pid_t root = 0;            // the launched process it descends from
    bool stopped = false;      // in a group stop (reported for a launched process)
    std::string last_denial;   // the last call denied to this thread (decide_and_log)
  };
  // One launched command: its seccomp listener arrives over `handover` after the child
  // installed its filter.
  struct Launch {
    UniqueFd handover;
    UniqueFd listener;
    const policy::CommandPolicy* policy = nullptr;  // what the launched program runs under
    bool registered = false;                        // with stsh-audit, for its kernel denials
  };

  Supervisor(const policy::Plan& plan, ViolationLog& log, policy::Mode mode,
             std::unique_ptr<ConfinementCache> confinements, std::optional<AuditClient> audit,
             std::string route, UniqueFd epoll, UniqueFd sigfd);

  void on_stop(pid_t tid, int status);
  void on_notification(int listener);
  void on_socket_notification(int listener, const seccomp_notif& n);
  void on_listen(int listener, const seccomp_notif& n, Task& task);
  void on_watch_notification(int listener, const seccomp_notif& n);
  void on_send_notification(int listener, const seccomp_notif& n);
  void on_path_notification(int listener, const seccomp_notif& n);
  void on_meta_notification(int listener, const seccomp_notif& n);
  void on_fd_ready(int fd, unsigned events);
  // Kernel-tier denials from stsh-audit: each recorded as the Plan would have decided it.
  void on_kernel_denials();
  void record_kernel_denial(const KernelDenial& k);
  // The last process of a launch is gone: its kernel denials are waited for, then it goes.
  void end_launch(pid_t root);
  void reap();
  void on_seccomp(pid_t tid);
  void on_traced_denial(pid_t tid, user_regs_struct& regs);
  void on_exec(pid_t tid);
  void on_new_task(pid_t parent, pid_t child);
  void adopt(pid_t tid, const policy::CommandPolicy* policy, pid_t root);
  void on_root_exit(pid_t root);
  // The Plan's decision, logged when the Plan says so or it is a denial; audit mode turns a
  // denial into a logged permit.
  policy::Decision decide_and_log(pid_t tid, const policy::CommandPolicy& policy,
                                  const policy::Call& call);
  // The Plan's decision on `call` for thread `pid`, recorded, applied: nullopt to go on, or the
  // value to answer the call with (the rule's -errno; -EPERM when the rule killed the process).
  std::optional<int> gate(pid_t pid, const Task& task, const policy::Call& call);
  // Checks one exec of `path` (canonical) with `argv` under `policy`; logs a violation.
  policy::Decision check_exec(pid_t tid, const policy::CommandPolicy& policy,
                              const std::string& path, const std::vector<std::string>& argv);
  // The child's side of launch(): never returns.
  [[noreturn]] void confine_and_exec(const LaunchSpec& spec, int handover, pid_t parent,
                                     ConfinementCache::Choice choice);

  const policy::Plan* plan_;
  ViolationLog* log_;
  policy::Mode mode_;
  std::unique_ptr<ConfinementCache> confinements_;
  std::optional<AuditClient> audit_;  // kernel denials are recorded through it when set
  std::string route_;
  // Rule texts made at run time (kernel-tier records): Decision::rule is a view.
  std::deque<std::string> lost_rule_storage_;
  UniqueFd epoll_;
  UniqueFd sigfd_;                              // SIGCHLD
  sigset_t child_mask_{};                       // the signal mask launched commands start with
  std::unordered_map<pid_t, Launch> launches_;  // by the launched pid
  std::unordered_map<int, pid_t> handovers_;    // handover fd -> launched pid
  std::unordered_map<int, pid_t> listeners_;    // listener fd -> launched pid
  std::unordered_map<pid_t, Task> tasks_;
  // A new task's first stop and its parent's fork event arrive in either order.
  std::unordered_map<pid_t, std::pair<const policy::CommandPolicy*, pid_t>> expected_;
  std::unordered_set<pid_t> unclaimed_;
  std::vector<ProcessEvent> events_;  // for the caller of poll()
  // Calls done on behalf that may wait (FIFO opens, connect, send, bind): never on the loop.
  std::unique_ptr<BlockingPool> pool_;
};

}  // namespace stsh::enforcer
