#include <sys/resource.h>

#include <cstdio>

#include "shell/builtins.h"

namespace stsh::shell {
namespace {

std::string minutes_seconds(const timeval& t) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%ldm%ld.%06lds", static_cast<long>(t.tv_sec / 60),
                static_cast<long>(t.tv_sec % 60), static_cast<long>(t.tv_usec));
  return buf;
}

}  // namespace

// times: user and system time of the shell, then of the commands it waited for, as dash
// prints them. The commands are the shell's children (it is their supervisor).
STSH_BUILTIN(times) {
  (void)shell;
  (void)argv;
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  io.out += minutes_seconds(self.ru_utime) + " " + minutes_seconds(self.ru_stime) + "\n" +
            minutes_seconds(children.ru_utime) + " " + minutes_seconds(children.ru_stime) + "\n";
  return 0;
}

}  // namespace stsh::shell
