// Job control on the user's terminal: the interactive shell leads its own process group, owns
// the terminal while it reads a line, and hands it to the foreground job while that runs.
#pragma once

#include <sys/types.h>
#include <termios.h>

#include <optional>

namespace stsh::shell {

class Terminal {
 public:
  // Sets up job control on `fd` (a terminal): waits to be in the foreground, becomes a process
  // group leader, takes the terminal, ignores the job-control signals (commands get them
  // back). nullopt when `fd` is not a terminal or job control cannot be had.
  static std::optional<Terminal> take(int fd);

  // Remembers the shell's terminal modes (before it runs a command line).
  void save_modes();
  // The foreground job gets the terminal.
  void give_to(pid_t pgid);
  // The shell takes the terminal back and restores its modes (a stopped editor leaves the
  // terminal raw).
  void take_back();
  [[nodiscard]] int fd() const { return fd_; }

 private:
  Terminal(int fd, pid_t pgid, const termios& modes) : fd_(fd), pgid_(pgid), modes_(modes) {}
  int fd_;
  pid_t pgid_;
  termios modes_;
};

}  // namespace stsh::shell
