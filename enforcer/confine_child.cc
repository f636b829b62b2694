// The child's side of Supervisor::launch: from fork to exec, a column of steps each of which
// either succeeds or ends the child. The point of no return is the first step that confines:
// from there on a failure is _exit, never an exec less confined than planned.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "enforcer/kernel_compat.h"
#include "enforcer/launch_state.h"
#include "enforcer/supervisor.h"

namespace stsh::enforcer {
namespace {

// The exit status a child reports when it could not be confined or could not exec.
constexpr int kCannotConfine = 126;

[[noreturn]] void give_up(const char* what, int err) {
  dprintf(2, "stsh: cannot confine: %s: %s\n", what, std::strerror(err));
  _exit(kCannotConfine);
}

// Every descriptor from 3 up closes at exec: the command gets only what the spec gives it.
void close_the_rest_at_exec() {
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
  // Before Linux 5.11: one by one, up to the descriptor limit.
  rlimit rl{};
  const long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536
                       ? static_cast<long>(rl.rlim_cur)
                       : 65536;
  for (long fd = 3; fd < max; ++fd) fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
}

// Descriptors the child uses for itself (the hand-over socket, scratch copies) live from here
// up, above every number a command may be given (a shell redirects 0-255) — or as high as a
// low descriptor limit lets them.
int private_fd_base() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= 256 + 80) return 256;
  return rl.rlim_cur > 80 ? static_cast<int>(rl.rlim_cur) - 80 : 3;
}

// Closes every descriptor from 3 up but those in `keep` (at most 66, any order). The
// supervisor's descriptors (other stages' pipes, its listeners) are open in a child until
// here; left open, they fill the numbers below the command's descriptor limit and the
// listener the filter creates has none left (a pipeline of 84 stages under nofile 256).
void close_all_but(int* keep, size_t n) {
  std::sort(keep, keep + n);
  unsigned next = 3;
  for (size_t i = 0; i < n; ++i) {
    if (keep[i] < 3) continue;
    const auto fd = static_cast<unsigned>(keep[i]);
    if (fd > next) syscall(SYS_close_range, next, fd - 1, 0U);
    next = std::max(next, fd + 1);
  }
  syscall(SYS_close_range, next, ~0U, 0U);
}

// {target, source} pairs; a source may be another pair's target, so every source is first
// copied out of the way. Afterwards only the targets and `handover` are open.
void install_descriptors(const std::vector<std::pair<int, int>>& fds, int handover) {
  const int kScratchBase = private_fd_base();
  int scratch[64];
  if (fds.size() > std::size(scratch)) give_up("too many descriptors", EMFILE);
  for (size_t i = 0; i < fds.size(); ++i) {
    scratch[i] = fcntl(fds[i].second, F_DUPFD_CLOEXEC, kScratchBase);
    if (scratch[i] < 0) give_up("descriptor set-up (fcntl)", errno);
  }
  close_the_rest_at_exec();
  // 0, 1 and 2 the spec does not name are closed (`cmd >&-`), not inherited.
  for (int std_fd = 0; std_fd <= 2; ++std_fd) {
    if (std::none_of(fds.begin(), fds.end(), [&](const auto& f) { return f.first == std_fd; })) {
      close(std_fd);
    }
  }
  for (size_t i = 0; i < fds.size(); ++i) {
    if (dup2(scratch[i], fds[i].first) < 0) give_up("descriptor set-up (dup2)", errno);
  }
  int keep[std::size(scratch) + 1];
  for (size_t i = 0; i < fds.size(); ++i) keep[i] = fds[i].first;
  keep[fds.size()] = handover;
  close_all_but(keep, fds.size() + 1);
}

}  // namespace

void Supervisor::confine_and_exec(const LaunchSpec& spec, int handover, pid_t parent,
                                  ConfinementCache::Choice choice) {
  std::vector<char*> argv, env;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);

  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(kCannotConfine);
  if (spec.pgid != kSameGroup && setpgid(0, spec.pgid) != 0) give_up("setpgid", errno);
  // SIGTTOU is still ignored here (inherited from the shell), so a background group may.
  if (spec.terminal >= 0) tcsetpgrp(spec.terminal, getpgrp());
  start_signals(spec.ignored_signals);
  // fork() copied the supervisor's non-dumpable flag; a non-root supervisor could not seize
  // a non-dumpable child. The exec resets it anyway.
  if (prctl(PR_SET_DUMPABLE, 1) != 0) _exit(kCannotConfine);
  // Out of the way of the descriptors the command is given.
  if (const int moved = fcntl(handover, F_DUPFD_CLOEXEC, private_fd_base()); moved >= 0) {
    close(handover);
    handover = moved;
  } else {
    _exit(kCannotConfine);
  }
  // Ready: the supervisor seizes us, then says go: 'g' as planned, 's' on the supervisor route
  // (stsh-audit would not take our domain's denials).
  char go = 0;
  if (write(handover, "r", 1) != 1 || read(handover, &go, 1) != 1 || (go != 'g' && go != 's')) {
    _exit(kCannotConfine);
  }
  const Confinement& confinement = go == 'g' ? *choice.planned : *choice.supervised;
  // Landlock first: after restrict_self its ruleset descriptor is not needed, so the
  // command's descriptors may take its number.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) give_up("prctl(PR_SET_NO_NEW_PRIVS)", errno);
  if (confinement.landlock) {
    if (int rc = confinement.landlock->restrict_self(); rc < 0)
      give_up("landlock_restrict_self", -rc);
  }
  if (!spec.fds.empty()) install_descriptors(spec.fds, handover);
  if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) {
    dprintf(2, "stsh: cannot enter %s: %s\n", spec.cwd.c_str(), std::strerror(errno));
    _exit(kCannotConfine);
  }
  // The session's limits and umask, soft and hard alike, so the command cannot raise them.
  for (const policy::Limit& limit : plan_->session().limits) {
    const rlim_t value =
        limit.value == policy::kUnlimited ? RLIM_INFINITY : static_cast<rlim_t>(limit.value);
    const rlimit rl{value, value};
    if (setrlimit(static_cast<__rlimit_resource>(limit.resource), &rl) != 0) {
      dprintf(2, "stsh: cannot confine: setrlimit(%s) failed: %s\n", limit.name,
              std::strerror(errno));
      _exit(kCannotConfine);
    }
  }
  // Then the shell's `ulimit`s, within what the session's left.
  if (!lower_limits(spec.limits)) give_up("setrlimit", errno);
  umask(spec.umask ? *spec.umask : plan_->session().umask);
  constexpr unsigned kFlags =
      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  const CompiledFilter& filter = *confinement.filter;
  const int listener = install_filter(filter, kFlags);
  if (listener < 0) {
    dprintf(2, "stsh: cannot confine: %s\n",
            describe_install_failure(filter, kFlags, -listener).c_str());
    _exit(kCannotConfine);
  }
  // The supervisor takes the listener from us with pidfd_getfd: sendmsg (SCM_RIGHTS) would be
  // brokered by this very filter, which has no supervisor yet. We say its number with write,
  // which is not brokered, and wait until it has been taken.
  char taken = 0;
  if (write(handover, &listener, sizeof listener) != static_cast<ssize_t>(sizeof listener) ||
      read(handover, &taken, 1) != 1 || taken != 't') {
    give_up("cannot hand the seccomp listener over", errno ? errno : EPIPE);
  }
  // The command must not hold its own listener: it could answer its own traps.
  close(listener);
  close(handover);
  // A command starts with no signal blocked, whatever the shell blocks for its own loop.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execve(spec.path.c_str(), argv.data(), env.data());
  const int e = errno;
  dprintf(2, "stsh: %s: %s\n", spec.path.c_str(), std::strerror(e));
  _exit(e == ENOENT ? 127 : kCannotConfine);
}

}  // namespace stsh::enforcer
