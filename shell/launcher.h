// How the shell starts a command: through its own supervisor (the login shell, and every stsh
// not already confined), or — for a stsh started inside a confined session (a script running
// `stsh -c`, an editor whose shell is stsh) — by plain fork and exec, under the supervision
// of the stsh that confines us. The choice is made once, at start, from kernel state a
// confined process cannot forge (see already_confined()).
#pragma once

#include <sys/types.h>

#include <memory>
#include <vector>

#include "enforcer/supervisor.h"
#include "enforcer/unique_fd.h"

namespace stsh::shell {

class Launcher {
 public:
  virtual ~Launcher() = default;
  // Starts `spec`; the pid.
  virtual Result<pid_t> launch(const enforcer::LaunchSpec& spec,
                               const policy::CommandPolicy& starter) = 0;
  // Readable when poll() has something to report.
  [[nodiscard]] virtual int event_fd() const = 0;
  // What happened to launched processes since the last call (never blocks).
  virtual std::vector<enforcer::ProcessEvent> poll() = 0;
};

// The shell as supervisor: every command confined by enforcer::Supervisor.
class SupervisorLauncher final : public Launcher {
 public:
  explicit SupervisorLauncher(enforcer::Supervisor& supervisor) : supervisor_(&supervisor) {}
  Result<pid_t> launch(const enforcer::LaunchSpec& spec,
                       const policy::CommandPolicy& starter) override {
    return supervisor_->launch(spec, starter);
  }
  [[nodiscard]] int event_fd() const override { return supervisor_->event_fd(); }
  std::vector<enforcer::ProcessEvent> poll() override { return supervisor_->poll(0); }

 private:
  enforcer::Supervisor* supervisor_;
};

// Whether this process is already confined by a stsh supervisor, so that a nested stsh may
// fork and exec commands itself: it is traced (TracerPid != 0), under a seccomp filter
// (Seccomp: 2) and has no_new_privs (NoNewPrivs: 1) — all three, read from
// /proc/self/status. Why this is sound: a login stsh started by sshd or login is not traced,
// and nothing the user controls can make it so. Confined processes may not ptrace at all
// (the kernel tier denies it), so the tracer of a confined process is the stsh supervisor;
// a process whose tracer is anything else was started by someone already outside every
// policy (an unconfined debugger of the same user), who gains nothing by it. An environment
// variable would be forgeable by whoever starts stsh, and seccomp alone is what a container
// gives every process, so neither is used. The outer supervisor follows our forks and execs
// and decides each of them, and its death kills us and everything we start.
bool already_confined();

// fork and exec, nothing more: for a stsh that already_confined().
class NestedLauncher final : public Launcher {
 public:
  static Result<std::unique_ptr<NestedLauncher>> create();
  Result<pid_t> launch(const enforcer::LaunchSpec& spec,
                       const policy::CommandPolicy& starter) override;
  [[nodiscard]] int event_fd() const override { return sigfd_.get(); }
  std::vector<enforcer::ProcessEvent> poll() override;

 private:
  explicit NestedLauncher(UniqueFd sigfd) : sigfd_(std::move(sigfd)) {}
  UniqueFd sigfd_;
};

}  // namespace stsh::shell
