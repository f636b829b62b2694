#include "shell/launcher.h"

#include "enforcer/child_signals.h"
#include "enforcer/launch_state.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace stsh::shell {

bool already_confined() {
  std::ifstream status("/proc/self/status");
  std::string line;
  long tracer = 0, seccomp = 0, no_new_privs = 0;
  bool seen_tracer = false, seen_seccomp = false, seen_nnp = false;
  while (std::getline(status, line)) {
    auto value = [&](const char* key, long& out, bool& seen) {
      const size_t n = std::strlen(key);
      if (line.compare(0, n, key) != 0) return;
      out = std::strtol(line.c_str() + n, nullptr, 10);
      seen = true;
    };
    value("TracerPid:", tracer, seen_tracer);
    value("Seccomp:", seccomp, seen_seccomp);
    value("NoNewPrivs:", no_new_privs, seen_nnp);
  }
  return seen_tracer && seen_seccomp && seen_nnp && tracer != 0 && seccomp == 2 &&
         no_new_privs == 1;
}

Result<std::unique_ptr<NestedLauncher>> NestedLauncher::create() {
  auto sigfd = enforcer::child_signal_fd();
  if (!sigfd) return sigfd.take_error();
  return std::unique_ptr<NestedLauncher>(new NestedLauncher(std::move(*sigfd)));
}

namespace {

// The child's side: descriptors as the spec says, then exec. Failures end the child (the
// outer supervisor has decided nothing yet; nothing ran).
[[noreturn]] void exec_child(const enforcer::LaunchSpec& spec) {
  enforcer::start_signals(spec.ignored_signals);
  if (spec.umask) umask(*spec.umask);
  if (!enforcer::lower_limits(spec.limits)) _exit(126);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  if (spec.pgid != enforcer::kSameGroup) setpgid(0, spec.pgid);
  if (spec.terminal >= 0) tcsetpgrp(spec.terminal, getpgrp());
  if (!spec.fds.empty()) {
    // Copies out of the way first (a source may be another pair's target), above every
    // number a command may be given, or as high as a low descriptor limit lets them.
    rlimit rl{};
    int base = 256;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 256 + 80) {
      base = rl.rlim_cur > 80 ? static_cast<int>(rl.rlim_cur) - 80 : 3;
    }
    int scratch[64];
    const size_t n = std::min(spec.fds.size(), std::size(scratch));
    for (size_t i = 0; i < n; ++i) scratch[i] = fcntl(spec.fds[i].second, F_DUPFD_CLOEXEC, base);
    syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    for (int std_fd = 0; std_fd <= 2; ++std_fd) {
      if (std::none_of(spec.fds.begin(), spec.fds.end(),
                       [&](const auto& f) { return f.first == std_fd; })) {
        close(std_fd);
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (scratch[i] < 0 || dup2(scratch[i], spec.fds[i].first) < 0) {
        dprintf(scratch[i] < 0 ? 2 : scratch[i], "stsh: cannot set up descriptors: %s\n",
                std::strerror(errno));
        _exit(126);
      }
    }
  }
  if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) _exit(126);
  std::vector<char*> argv, env;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : spec.env) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  execve(spec.path.c_str(), argv.data(), env.data());
  const int err = errno;
  dprintf(2, "stsh: %s: %s\n", spec.argv.empty() ? spec.path.c_str() : spec.argv[0].c_str(),
          std::strerror(err));
  _exit(err == ENOENT ? 127 : 126);
}

}  // namespace

Result<pid_t> NestedLauncher::launch(const enforcer::LaunchSpec& spec,
                                     const policy::CommandPolicy& starter) {
  (void)starter;  // the outer supervisor applies the policy
  const pid_t pid = fork();
  if (pid < 0) return make_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) exec_child(spec);
  if (spec.pgid != enforcer::kSameGroup) setpgid(pid, spec.pgid == 0 ? pid : spec.pgid);
  return pid;
}

std::vector<enforcer::ProcessEvent> NestedLauncher::poll() {
  signalfd_siginfo info;
  while (read(sigfd_.get(), &info, sizeof info) == sizeof info) {
  }
  std::vector<enforcer::ProcessEvent> events;
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG | WUNTRACED | WCONTINUED);
    if (pid <= 0) break;
    events.push_back({pid, status});
  }
  return events;
}

}  // namespace stsh::shell
