#include "shell/terminal.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace stsh::shell {

std::optional<Terminal> Terminal::take(int fd) {
  if (!isatty(fd)) return std::nullopt;
  // Started in the background of another shell: wait until we are given the terminal.
  for (int i = 0; i < 100; ++i) {
    const pid_t fg = tcgetpgrp(fd);
    if (fg < 0) return std::nullopt;
    if (fg == getpgrp()) break;
    kill(-getpgrp(), SIGTTIN);
  }
  for (int sig : {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU}) signal(sig, SIG_IGN);
  // A login shell from sshd already leads its session and group; setpgid then fails, harmlessly.
  const pid_t self = getpid();
  if (getpgrp() != self && setpgid(0, 0) != 0) return std::nullopt;
  if (tcsetpgrp(fd, self) != 0) return std::nullopt;
  termios modes{};
  if (tcgetattr(fd, &modes) != 0) return std::nullopt;
  return Terminal(fd, self, modes);
}

void Terminal::save_modes() {
  tcgetattr(fd_, &modes_);
}

void Terminal::give_to(pid_t pgid) {
  tcsetpgrp(fd_, pgid);
}

void Terminal::take_back() {
  tcsetpgrp(fd_, pgid_);
  tcsetattr(fd_, TCSADRAIN, &modes_);
}

}  // namespace stsh::shell
