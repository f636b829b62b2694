// Decision cost against the number of rules: builds policies with 10, 1,000 and 100,000 rules
// (parse ms: YAML and rule text to Documents; total ms: parse plus compile to a Plan)
// and list entries (eq, match, inpath rules and ** list entries, in equal parts), then times
// decisions for paths that hit the first rule, the last rule of each kind (eq, match,
// inpath; averaged), and no rule. Prints times; not a pass/fail
// test. Run: meson test -C build --benchmark --verbose, or build/tests/bench_decide.
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "policy/compiler.h"
#include "policy/loader.h"
#include "policy/syscalls.h"

using namespace stsh::policy;
using Clock = std::chrono::steady_clock;

namespace {

std::string policy_text(int n) {
  std::string y = "defaults:\n  read:\n";
  for (int i = 0; i < n / 4; ++i) y += "    - /srv/list" + std::to_string(i) + "/**\n";
  y += "  rules:\n";
  for (int i = 0; i < n - n / 4; ++i) {
    const std::string id = std::to_string(i);
    switch (i % 3) {
      case 0:
        y += "    - fsread: filename eq \"/data/u" + id + "/secret\" then deny[eacces]\n";
        break;
      case 1:
        y += "    - fsread: filename match \"/keys/k" + id + "/*.pem\" then deny[eperm]\n";
        break;
      default:
        y += "    - fswrite: filename inpath \"/var/t" + id + "\" then permit\n";
        break;
    }
  }
  y += "commands:\n  /usr/bin/cat: {}\n";
  return y;
}

double ns_per_decision(const Plan& plan, const std::vector<Call>& calls, int rounds) {
  const CommandPolicy& cat = *plan.command_for("/usr/bin/cat");
  size_t permitted = 0;
  for (const auto& c : calls) permitted += plan.decide(cat, c).permitted();  // warm caches
  const auto start = Clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (const auto& c : calls) permitted += plan.decide(cat, c).permitted();
  }
  const auto ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  if (permitted == 0xFFFFFFFF) std::puts("");  // keep the loop
  return ns / (static_cast<double>(rounds) * static_cast<double>(calls.size()));
}

Call open_call(std::string path, int flags) {
  Call c;
  c.syscall = *syscall_number("openat");
  c.filename = std::move(path);
  c.oflags = flags;
  return c;
}

}  // namespace

int main() {
  const Variables vars{"/home/bench", "bench", "1000"};
  std::printf("%-8s %12s %12s %14s %14s %14s\n", "rules", "parse ms", "total ms", "first ns",
              "last ns", "miss ns");
  double base_last = 0;
  for (int n : {10, 1000, 100000}) {
    const std::string text = policy_text(n);
    const auto t0 = Clock::now();
    auto doc = load_document(text, "bench.yaml", vars);
    if (!doc) {
      std::fprintf(stderr, "%s\n", doc.error().to_string().c_str());
      return 1;
    }
    const auto t1 = Clock::now();
    std::vector<Document> docs;
    docs.push_back(std::move(*doc));
    auto plan = compile_plan(std::move(docs));
    const double compile_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    const double load_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (!plan) return 1;
    // The last rule of each kind, so that every size probes the same three kinds.
    const int rules = n - n / 4;
    const int last = (rules - 3) / 3 * 3;
    const std::vector<Call> first{open_call("/data/u0/secret", O_RDONLY)};
    const std::vector<Call> last_hit{
        open_call("/data/u" + std::to_string(last) + "/secret", O_RDONLY),
        open_call("/keys/k" + std::to_string(last + 1) + "/a.pem", O_RDONLY),
        open_call("/var/t" + std::to_string(last + 2) + "/f", O_WRONLY)};
    const std::vector<Call> miss{open_call("/home/bench/projects/stsh/policy/plan.cc", O_RDONLY)};
    const double f = ns_per_decision(**plan, first, 200000);
    const double l = ns_per_decision(**plan, last_hit, 200000);
    const double m = ns_per_decision(**plan, miss, 200000);
    if (n == 10) base_last = l;
    std::printf(
        "%-8d %12.1f %12.1f %14.0f %14.0f %14.0f   (last-rule cost %.2fx the 10-rule policy)\n", n,
        load_ms, compile_ms, f, l, m, l / base_last);
  }
  return 0;
}
