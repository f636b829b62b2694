#include "enforcer/launch_state.h"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>

namespace stsh::enforcer {

void start_signals(const std::vector<int>& ignored) {
  // The shell ignores the job-control signals and SIGPIPE for itself; a command starts with
  // the defaults. Signals the shell traps are blocked there; exec resets their handlers.
  for (int sig : {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGCHLD, SIGHUP}) {
    signal(sig, SIG_DFL);
  }
  for (int sig : ignored) {
    if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD) continue;
    signal(sig, SIG_IGN);
  }
}

bool lower_limits(const std::vector<LaunchLimit>& limits) {
  for (const LaunchLimit& limit : limits) {
    const auto resource = static_cast<__rlimit_resource>(limit.resource);
    rlimit rl{};
    if (getrlimit(resource, &rl) != 0) return false;
    rl.rlim_max = std::min<rlim_t>(rl.rlim_max, limit.hard);
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, limit.soft);
    if (setrlimit(resource, &rl) != 0) return false;
  }
  return true;
}

}  // namespace stsh::enforcer
