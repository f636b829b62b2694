// A syscall loop for comparing native and confined runs: prints nanoseconds per iteration of
// openat+close, stat and getppid. Usage: syscall_loop [ITERATIONS [FILE]] (FILE: /etc/hostname)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

template <typename F>
double ns_per_call(long n, F f) {
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) f();
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start)
             .count() /
         static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 200000;
  const char* const file = argc > 2 ? argv[2] : "/etc/hostname";
  // A loop that measures failures measures the wrong thing: the file must be there.
  if (access(file, R_OK) != 0) {
    std::perror(file);
    return 1;
  }
  struct stat st {};
  volatile long sink = 0;
  const double open_close = ns_per_call(n, [file] {
    const int fd = openat(AT_FDCWD, file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) close(fd);
  });
  const double stat_ns = ns_per_call(n, [&] { sink = sink + stat(file, &st); });
  const double ppid = ns_per_call(n, [&] { sink = sink + getppid(); });
  std::printf("openat+close %.0f\nstat %.0f\ngetppid %.0f\n", open_close, stat_ns, ppid);
  return 0;
}
