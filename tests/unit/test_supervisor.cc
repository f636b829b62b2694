// The supervisor's library API as the shell uses it: several commands at once wired into a
// pipeline by descriptor, process groups, waitpid-style events for exit, stop and continue,
// and nothing a command started outliving it. This test process is the supervisor.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "enforcer/supervisor.h"
#include "enforcer/unique_fd.h"
#include "policy_test_util.h"

namespace {

using namespace stsh::enforcer;
using stsh::UniqueFd;
using stsh::policy::Mode;
using stsh::policy::Plan;
using stsh::policy::testing::compile_text;

const char* const kPolicy = R"(
session:
  logging: { facility: local5, ident: stsh-unit }
defaults:
  read: ["/**"]
  write: ["/tmp/**", /dev/null]
  exec: []
commands:
  /usr/bin/printf: {}
  /usr/bin/tr: {}
  /usr/bin/sleep: {}
  /usr/bin/dash: { exec: [/usr/bin/sleep] }
)";

struct Fixture {
  std::shared_ptr<const Plan> plan;
  std::unique_ptr<ViolationLog> log;
  Fixture() {
    auto compiled = compile_text(kPolicy);
    REQUIRE(compiled.ok());
    plan = *compiled;
    log = std::make_unique<ViolationLog>(plan->session(), "alice", "unit", "t.yaml");
  }
  Supervisor supervisor() {
    auto s = Supervisor::create(*plan, *log, Mode::enforce);
    INFO((s ? std::string() : s.error().to_string()));
    REQUIRE(s.ok());
    return std::move(*s);
  }
  LaunchSpec spec(std::vector<std::string> argv) const {
    LaunchSpec s;
    s.path = argv[0];
    s.argv = std::move(argv);
    s.env = {"PATH=/usr/bin"};
    return s;
  }
};

// Polls until `pid` reports a status for which `want` holds; fails after about 10 s. Events
// of other processes are kept for later calls.
std::vector<ProcessEvent> seen;
template <typename Pred>
int wait_for(Supervisor& s, pid_t pid, Pred want) {
  for (int i = 0; i < 100; ++i) {
    for (auto it = seen.begin(); it != seen.end(); ++it) {
      if (it->pid == pid && want(it->status)) {
        const int status = it->status;
        seen.erase(it);
        return status;
      }
    }
    for (const ProcessEvent& e : s.poll(100)) seen.push_back(e);
  }
  FAIL("no such event from " << pid);
  return -1;
}

bool exited(int status) {
  return WIFEXITED(status) || WIFSIGNALED(status);
}

std::string read_all(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

TEST_CASE("two launched commands form a pipeline through the descriptors they are given") {
  Fixture f;
  Supervisor s = f.supervisor();
  int middle[2], out[2];
  REQUIRE(pipe2(middle, O_CLOEXEC) == 0);
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  UniqueFd mid_r(middle[0]), mid_w(middle[1]), out_r(out[0]), out_w(out[1]);

  LaunchSpec first = f.spec({"/usr/bin/printf", "hello pipeline"});
  first.fds = {{1, mid_w.get()}, {2, 2}};
  first.pgid = 0;
  auto a = s.launch(first, f.plan->login());
  REQUIRE(a.ok());
  LaunchSpec second = f.spec({"/usr/bin/tr", "a-z", "A-Z"});
  second.fds = {{0, mid_r.get()}, {1, out_w.get()}, {2, 2}};
  second.pgid = *a;
  auto b = s.launch(second, f.plan->login());
  REQUIRE(b.ok());
  CHECK(getpgid(*b) == *a);  // one job, one process group
  mid_r.reset();
  mid_w.reset();
  out_w.reset();

  const int sa = wait_for(s, *a, exited);
  const int sb = wait_for(s, *b, exited);
  CHECK(WIFEXITED(sa));
  CHECK(WEXITSTATUS(sa) == 0);
  CHECK(WIFEXITED(sb));
  CHECK(WEXITSTATUS(sb) == 0);
  CHECK(read_all(out_r.get()) == "HELLO PIPELINE");
}

TEST_CASE("a stopped and continued command is reported like waitpid(WUNTRACED|WCONTINUED)") {
  Fixture f;
  Supervisor s = f.supervisor();
  LaunchSpec spec = f.spec({"/usr/bin/sleep", "30"});
  spec.pgid = 0;
  auto pid = s.launch(spec, f.plan->login());
  REQUIRE(pid.ok());
  s.poll(200);  // let it exec
  REQUIRE(kill(-*pid, SIGTSTP) == 0);
  const int stopped = wait_for(s, *pid, [](int st) { return WIFSTOPPED(st); });
  CHECK(WSTOPSIG(stopped) == SIGTSTP);
  REQUIRE(kill(-*pid, SIGCONT) == 0);
  wait_for(s, *pid, [](int st) { return WIFCONTINUED(st); });
  REQUIRE(kill(-*pid, SIGTERM) == 0);
  const int ended = wait_for(s, *pid, exited);
  CHECK(WIFSIGNALED(ended));
  CHECK(WTERMSIG(ended) == SIGTERM);
}

TEST_CASE("what a launched command started does not outlive it") {
  Fixture f;
  Supervisor s = f.supervisor();
  int out[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  UniqueFd out_r(out[0]), out_w(out[1]);
  LaunchSpec spec = f.spec({"/usr/bin/dash", "-c", "/usr/bin/sleep 60 & echo $!"});
  spec.fds = {{1, out_w.get()}, {2, 2}};
  auto pid = s.launch(spec, f.plan->login());
  REQUIRE(pid.ok());
  out_w.reset();
  const int status = wait_for(s, *pid, exited);
  CHECK(WIFEXITED(status));
  const pid_t orphan = static_cast<pid_t>(std::stol(read_all(out_r.get())));
  REQUIRE(orphan > 0);
  for (int i = 0; i < 50 && s.confined_count() > 0; ++i) s.poll(100);
  CHECK(s.confined_count() == 0);
  // Killed and reaped: as its tracer we see it die, as its subreaper we collect the zombie
  // (reparenting to us happens when its parent exits, possibly after the first report).
  int alive = 0;
  for (int i = 0; i < 50 && (alive = kill(orphan, 0)) == 0; ++i) s.poll(100);
  CHECK(alive == -1);
  CHECK(errno == ESRCH);
}

TEST_CASE("a denied exec inside a launched command fails with the policy's errno") {
  Fixture f;
  Supervisor s = f.supervisor();
  int out[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  UniqueFd out_r(out[0]), out_w(out[1]);
  // dash may start sleep, not tr: the exec of tr fails, dash reports 126 (EACCES).
  LaunchSpec spec = f.spec({"/usr/bin/dash", "-c", "/usr/bin/tr a b </dev/null; echo $?"});
  spec.fds = {{1, out_w.get()}, {2, out_w.get()}};
  auto pid = s.launch(spec, f.plan->login());
  REQUIRE(pid.ok());
  out_w.reset();
  wait_for(s, *pid, exited);
  const std::string output = read_all(out_r.get());
  CHECK(output.find("Permission denied") != std::string::npos);
  CHECK(output.find("126") != std::string::npos);
  CHECK(f.log->violations() == 1);
}
