// The supervisor tier, first slice: ptrace (PTRACE_SEIZE with EXITKILL) over a seccomp filter
// that sends execve/execveat to us (SECCOMP_RET_TRACE). Every fork, vfork, clone and thread is
// followed from its first instruction; every exec is checked before it happens (for a friendly
// errno) and verified after the new image is loaded, before it runs one instruction, from
// /proc/PID/exe (race-free: TOCTOU rule (c)); the policy switches at exec.
//
// File and TCP access is bounded by a Landlock domain derived from the Plan
// (landlock_plan.h): race-free, in the kernel, but an over-approximation of the policy. Inside
// it, these go to the supervisor by seccomp user notification and are decided exactly, per
// command, on canonical paths and whole addresses, with the supervisor performing the call
// itself (the TOCTOU rule, case b): the open family (open_broker.h); unlink, rmdir, mkdir,
// rename, link, symlink (path_broker.h); stat, statx, statfs, access, readlink, chmod, chown,
// truncate, the utime family, the xattr calls and mknod, with their *at and l* forms
// (meta_broker.h); connect and bind (socket_broker.h). chdir is decided, then run by the
// kernel (on_meta_notification says why that is safe).
// Not yet here: sendto/sendmsg destinations, inotify_add_watch and fanotify_mark paths, calls
// on descriptors (fchmod, fchown, ...), and syslog records for what Landlock alone denies.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <linux/seccomp.h>
#include "enforcer/kernel_filter.h"
#include "enforcer/landlock.h"
#include "enforcer/violation_log.h"
#include "policy/plan.h"

namespace stsh::enforcer {

struct LaunchSpec {
  std::string path;               // absolute, canonical program to execute
  std::vector<std::string> argv;  // argv[0] as the program will see it
  std::vector<std::string> env;   // NAME=value
  std::string cwd;                // empty: inherit
};

class Supervisor {
 public:
  // `plan` and `log` must outlive the supervisor.
  // `mode` is the session's (a tool may override the Plan's, e.g. stsh-run --mode audit).
  static Result<Supervisor> create(const policy::Plan& plan, ViolationLog& log, policy::Mode mode);

  // Starts `spec` confined, running under `starter` (the login, or a command's policy) until
  // its exec switches the policy. Returns the pid; the child has not run the program yet.
  Result<pid_t> launch(const LaunchSpec& spec, const policy::CommandPolicy& starter);

  // Supervises until `main` exits and returns its wait status. Confined processes still
  // running then are killed: none outlives the command it belongs to.
  int run_until_exit(pid_t main);

 private:
  struct Task {
    const policy::CommandPolicy* policy = nullptr;
    std::string checked_path;  // the program the last exec pre-check permitted
    pid_t tgid = 0;            // its process; 0 until first needed
  };

  Supervisor(const policy::Plan& plan, ViolationLog& log, policy::Mode mode, CompiledFilter filter,
             std::optional<LandlockRuleset> landlock)
      : plan_(&plan),
        log_(&log),
        mode_(mode),
        filter_(std::move(filter)),
        landlock_(std::move(landlock)) {}

  void on_stop(pid_t tid, int status);
  void on_notification();
  void on_socket_notification(const seccomp_notif& n);
  void on_path_notification(const seccomp_notif& n);
  void on_meta_notification(const seccomp_notif& n);
  void reap(pid_t main, int& main_status, bool& main_done);
  void on_seccomp(pid_t tid);
  void on_exec(pid_t tid);
  void on_new_task(pid_t parent, pid_t child);
  void adopt(pid_t tid, const policy::CommandPolicy* policy);
  // The Plan's decision, logged when the Plan says so or it is a denial; audit mode turns a
  // denial into a logged permit.
  policy::Decision decide_and_log(pid_t tid, const policy::CommandPolicy& policy,
                                  const policy::Call& call);
  // Checks one exec of `path` (canonical) with `argv` under `policy`; logs a violation.
  policy::Decision check_exec(pid_t tid, const policy::CommandPolicy& policy,
                              const std::string& path, const std::vector<std::string>& argv);
  void kill_all();

  const policy::Plan* plan_;
  ViolationLog* log_;
  policy::Mode mode_;
  CompiledFilter filter_;
  std::optional<LandlockRuleset>
      landlock_;       // none in audit and learn modes, which restrict nothing
  int listener_ = -1;  // the seccomp listener of the launched command (one per supervisor)
  int handover_ = -1;  // our end of the socket the child sends the listener through
  std::unordered_map<pid_t, Task> tasks_;
  // A new task's first stop and its parent's fork event arrive in either order.
  std::unordered_map<pid_t, const policy::CommandPolicy*> expected_;
  std::unordered_set<pid_t> unclaimed_;
};

}  // namespace stsh::enforcer
