#include "enforcer/launch_signals.h"

#include <signal.h>

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

}  // namespace stsh::enforcer
