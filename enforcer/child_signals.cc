#include "enforcer/child_signals.h"

#include <signal.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace stsh::enforcer {

Result<UniqueFd> child_signal_fd() {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, nullptr) != 0) {
    return make_error(std::string("sigprocmask failed: ") + std::strerror(errno));
  }
  UniqueFd fd(signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) return make_error(std::string("signalfd failed: ") + std::strerror(errno));
  return fd;
}

}  // namespace stsh::enforcer
