// Compile cost of a policy against its size (issue 12.5): a login compiles its policy every
// time, so this must grow linearly. For 10 to 150,000 command keys ("/opt/b/cN: {}") and 10 to
// 100,000 rules (defaults.rules, "open: filename eq \"/fN\" then deny"), prints the YAML
// size, the time to load (YAML and rule text to a Document), to compile (Document to a Plan),
// and the peak resident memory. Each size runs in a child process so its peak (wait4's
// ru_maxrss) is its own. Sizes past the 4 MiB file cap are loaded from memory, as a file
// could not be. Not a pass/fail test. Run: meson test -C build --benchmark --verbose
// "policy compile cost by size", or build/tests/bench_compile.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "policy/compiler.h"
#include "policy/loader.h"
#include "policy/policy_file.h"

using namespace stsh::policy;
using Clock = std::chrono::steady_clock;

namespace {

enum class Shape { keys, rules };

std::string policy_text(Shape shape, int n) {
  std::string y;
  if (shape == Shape::keys) {
    y = "commands:\n";
    for (int i = 0; i < n; ++i) y += "  /opt/b/c" + std::to_string(i) + ": {}\n";
  } else {
    // The shortest rule lines, so that 100,000 rules fit under the 4 MiB file cap.
    y = "defaults:\n  read: [/usr/**]\n  rules:\n";
    for (int i = 0; i < n; ++i)
      y += "  - open: filename eq \"/f" + std::to_string(i) + "\" then deny\n";
    y += "commands:\n  /usr/bin/cat: {}\n";
  }
  return y;
}

struct Timing {
  double load_s = 0, compile_s = 0;
  size_t bytes = 0;
  bool ok = false;
};

// In the child: build the text, load and compile it, report through the pipe.
[[noreturn]] void measure(Shape shape, int n, int fd) {
  const std::string text = policy_text(shape, n);
  Timing t;
  t.bytes = text.size();
  const Variables vars{"/home/bench", "bench", "1000"};
  const auto t0 = Clock::now();
  auto doc = load_document(text, "bench.yaml", vars);
  const auto t1 = Clock::now();
  if (doc) {
    std::vector<Document> docs;
    docs.push_back(std::move(*doc));
    auto plan = compile_plan(std::move(docs));
    t.ok = plan.ok();
    if (!plan) std::fprintf(stderr, "%s\n", plan.error().to_string().c_str());
  } else {
    std::fprintf(stderr, "%s\n", doc.error().to_string().c_str());
  }
  const auto t2 = Clock::now();
  t.load_s = std::chrono::duration<double>(t1 - t0).count();
  t.compile_s = std::chrono::duration<double>(t2 - t1).count();
  if (write(fd, &t, sizeof t) != sizeof t) _exit(2);
  _exit(0);
}

void run(Shape shape, int n) {
  int fds[2];
  if (pipe(fds) != 0) return;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    measure(shape, n, fds[1]);
  }
  close(fds[1]);
  Timing t;
  const bool got = read(fds[0], &t, sizeof t) == static_cast<ssize_t>(sizeof t);
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  const char* what = shape == Shape::keys ? "keys " : "rules";
  if (!got || !t.ok) {
    std::printf("%s %7d  failed\n", what, n);
    return;
  }
  std::printf("%s %7d  %6.2f MB%s  load %7.3f s  compile %7.3f s  total %7.3f s  peak %6.1f MB\n",
              what, n, t.bytes / 1e6, t.bytes > kMaxPolicyBytes ? " (over the cap)" : "         ",
              t.load_s, t.compile_s, t.load_s + t.compile_s, ru.ru_maxrss / 1024.0);
  std::fflush(stdout);
}

}  // namespace

int main() {
  for (int n : {10, 1000, 10000, 100000, 150000}) run(Shape::keys, n);
  for (int n : {10, 1000, 10000, 100000}) run(Shape::rules, n);
  return 0;
}
