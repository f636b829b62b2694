// stsh-policy learn's drafts: generalised with reasons, never over protected trees, every
// path literal (a record's bytes cannot become YAML, a glob or a variable), and stable.
#include <catch2/catch.hpp>

#include <sstream>

#include "enforcer/record_format.h"
#include "policy/learn.h"
#include "policy_test_util.h"

using namespace stsh::policy;
using namespace stsh::policy::testing;

namespace {

std::string audit(const std::string& path, const std::string& syscall = "openat",
                  const std::string& oflags = "O_RDONLY", const std::string& rule = "default") {
  stsh::enforcer::RecordBuilder b("violation");
  b.add("user", "alice").add("session", "1").add("pid", "2").add("ppid", "1")
      .add("exe", "/usr/bin/tool").add("policy", "/p.yaml").add("entry", "/p.yaml:3")
      .add("syscall", syscall).add("path", path).add("rule", rule)
      .add("action", "audit-deny[EACCES]").add("mode", "audit");
  if (!oflags.empty()) b.add("oflags", oflags);
  return "Dec  2 07:00:00 vm stsh[2]: " + b.text() + "\n";
}

std::string draft(const std::string& log) {
  const RecordInput records = read_records(log, {});
  LearnInput in;
  in.records = &records;
  in.source = "test";
  in.homes = {{"alice", "/home/alice"}};
  return learn_draft(in).yaml;
}

std::shared_ptr<const Plan> plan_of(const std::string& yaml) {
  auto plan = compile_text(yaml);
  INFO(yaml << (plan ? std::string() : "\n-> " + plan.error().to_string()));
  REQUIRE(plan.ok());
  return *plan;
}

bool reads(const Plan& p, const std::string& path) {
  const CommandPolicy* c = p.command_for("/usr/bin/tool");
  REQUIRE(c != nullptr);
  return p.decide(*c, open_call(path)).permitted();
}

}  // namespace

TEST_CASE("learn: five paths or more under a directory become DIR/**, with the reason") {
  std::string log;
  for (int i = 0; i < 7; ++i) log += audit("/home/alice/.cache/app/f" + std::to_string(i));
  log += audit("/etc/hosts");
  log += audit("/home/alice/notes", "openat", "O_WRONLY|O_CREAT|O_TRUNC");
  const std::string y = draft(log);
  INFO(y);
  CHECK(y.find("# 7 paths under $HOME/.cache/app -> $HOME/.cache/app/** (seen for /usr/bin/tool: openat 7)") !=
        std::string::npos);
  CHECK(y.find("- \"$HOME/.cache/app/**\"") != std::string::npos);
  auto p = plan_of(y);
  CHECK(reads(*p, "/home/alice/.cache/app/other"));
  CHECK(reads(*p, "/etc/hosts"));
  CHECK_FALSE(reads(*p, "/etc/passwd"));
  const CommandPolicy* c = p->command_for("/usr/bin/tool");
  CHECK(p->decide(*c, open_call("/home/alice/notes", O_WRONLY | O_CREAT)).permitted());
  CHECK(draft(log) == y);  // the same records, the same draft
}

TEST_CASE("learn: protected files are not added, protected trees never widened over") {
  std::string log = audit("/etc/shadow") + audit("/home/bob/.bashrc") + audit("/proc/1/environ") +
                    audit("/home/alice/.ssh/id_ed25519");
  for (const char* f : {"a", "b", "c", "d", "e", "f"}) log += audit(std::string("/home/alice/") + f);
  for (const char* f : {"passwd", "group", "hosts", "services", "nsswitch.conf"})
    log += audit(std::string("/etc/") + f);
  const std::string y = draft(log);
  INFO(y);
  CHECK(y.find("not added: /etc/shadow (/etc/shadow holds password hashes") != std::string::npos);
  CHECK(y.find("not added: /home/bob/.bashrc (/home/bob is another user's home") != std::string::npos);
  CHECK(y.find("not added: /proc/1/environ (/proc/PID of another process") != std::string::npos);
  CHECK(y.find("not added: $HOME/.ssh/id_ed25519 (~/.ssh holds") != std::string::npos);
  CHECK(y.find("6 paths under $HOME: not widened to $HOME/** (it holds /home/alice/.ssh") != std::string::npos);
  CHECK(y.find("5 paths under /etc: not widened to /etc/**") == std::string::npos);  // depth 1: never
  auto p = plan_of(y);
  CHECK_FALSE(reads(*p, "/etc/shadow"));
  CHECK_FALSE(reads(*p, "/home/alice/.ssh/id_ed25519"));
  CHECK_FALSE(reads(*p, "/home/bob/.bashrc"));
  CHECK(reads(*p, "/home/alice/a"));
  CHECK_FALSE(reads(*p, "/home/alice/z"));
}

TEST_CASE("learn: a record's path is taken literally, whatever it holds") {
  const std::string y = draft(audit("/tmp/x\"\n    - \"/**") + audit("/tmp/*") + audit("/tmp/$HOME") +
                              audit("/tmp/[ab]") + audit("/tmp/back\\slash") +
                              audit("/tmp/\xff\xfe") + audit("relative/path") +
                              audit("/tmp/line\u2028sep"));
  INFO(y);
  auto p = plan_of(y);
  CHECK(reads(*p, "/tmp/x\"\n    - \"/**"));
  CHECK(reads(*p, "/tmp/*"));
  CHECK_FALSE(reads(*p, "/tmp/other"));
  CHECK(reads(*p, "/tmp/$HOME"));
  CHECK_FALSE(reads(*p, "/tmp/home/alice"));
  CHECK(reads(*p, "/tmp/[ab]"));
  CHECK_FALSE(reads(*p, "/tmp/a"));
  CHECK(reads(*p, "/tmp/back\\slash"));
  CHECK_FALSE(reads(*p, "/etc/passwd"));
  CHECK(y.find("cannot be written in a policy") != std::string::npos);  // not UTF-8
  CHECK(y.find("not added: relative/path is not a canonical absolute path") != std::string::npos);
  CHECK(reads(*p, "/tmp/line\u2028sep"));
  for (size_t i = 0; i < y.size(); ++i) {
    const auto c = static_cast<unsigned char>(y[i]);
    CHECK((c >= 0x20 || c == '\n'));
  }
}

TEST_CASE("learn: what a rule denied, or the kernel tier, is listed and not added") {
  const std::string y =
      draft(audit("/srv/secret", "openat", "O_RDONLY", "/p.yaml:9:7") +
            audit("", "ptrace", "", "kernel tier (never permitted)") + audit("/srv/ok"));
  INFO(y);
  CHECK(y.find("was denied by the rule at /p.yaml:9:7: change that rule if it is wanted") !=
        std::string::npos);
  CHECK(y.find("not added: ptrace by /usr/bin/tool: stsh never permits it") != std::string::npos);
  auto p = plan_of(y);
  CHECK_FALSE(reads(*p, "/srv/secret"));
  CHECK(reads(*p, "/srv/ok"));
}

TEST_CASE("learn: only exact addresses become connect entries") {
  auto net = [](const std::string& addr) {
    stsh::enforcer::RecordBuilder b("violation");
    b.add("user", "alice").add("exe", "/usr/bin/tool").add("entry", "/p.yaml:3")
        .add("syscall", "connect").add("sockaddr", addr).add("rule", "default")
        .add("action", "audit-deny[EACCES]").add("mode", "audit");
    return "Dec  2 07:00:00 vm stsh[2]: " + b.text() + "\n";
  };
  const std::string y = draft(net("inet:192.0.2.1:443") + net("inet:*:*") + net("inet6:[*]:*") +
                              net("unix:/run/*") + net("inet:10.0.0.0/8:22"));
  INFO(y);
  auto p = plan_of(y);
  const CommandPolicy* c = p->command_for("/usr/bin/tool");
  REQUIRE(c != nullptr);
  CHECK(p->decide(*c, net_call("connect", "inet:192.0.2.1:443")).permitted());
  CHECK_FALSE(p->decide(*c, net_call("connect", "inet:192.0.2.2:443")).permitted());
  CHECK_FALSE(p->decide(*c, net_call("connect", "inet:10.1.1.1:22")).permitted());
  CHECK_FALSE(p->decide(*c, net_call("connect", "unix:/run/x")).permitted());
  CHECK(p->decide(*c, net_call("connect", "unix:/run/*")).permitted());
  CHECK(y.find("not added: inet:*:* is not an exact address") != std::string::npos);
}

TEST_CASE("learn: names the run made and removed again become a pattern the next run's match") {
  // gcc -c: cc1 writes /tmp/ccXXXXXX.s, as reads it, gcc removes it. Another run, other names.
  auto run = [](const std::string& name) {
    return audit("/tmp/" + name, "openat", "O_RDWR|O_CREAT|O_EXCL") + audit("/tmp/" + name) +
           audit("/tmp/" + name, "unlink", "") + audit("/home/alice/src/f.o", "openat", "O_WRONLY|O_CREAT|O_TRUNC");
  };
  const std::string y = draft(run("ccEZ0pVL.s") + run("ccPkWVMS.s"));
  INFO(y);
  CHECK(y.find("# 2 temporary names (made and removed by the run; other names next time) -> /tmp/*.s") !=
        std::string::npos);
  CHECK(y.find("ccEZ0pVL") == std::string::npos);
  CHECK(draft(run("cc0XXJGg.s") + run("ccUk1eSv.s")) == y);  // the next run: the same draft
  auto p = plan_of(y);
  const CommandPolicy* c = p->command_for("/usr/bin/tool");
  CHECK(p->decide(*c, open_call("/tmp/ccQKOY34.s", O_RDWR | O_CREAT | O_EXCL)).permitted());
  CHECK(reads(*p, "/tmp/ccQKOY34.s"));
  CHECK_FALSE(reads(*p, "/tmp/other.c"));
  // A file the run made and kept, or one it only removed, keeps its name.
  CHECK(y.find("- \"$HOME/src/f.o\"") != std::string::npos);
  // A directory made and removed (mkdtemp): what was below it too.
  const std::string d = draft(audit("/tmp/tmp.CsWSCKvTyG", "mkdir", "") +
                              audit("/tmp/tmp.CsWSCKvTyG/out", "openat", "O_WRONLY|O_CREAT") +
                              audit("/tmp/tmp.CsWSCKvTyG/out", "unlink", "") +
                              audit("/tmp/tmp.CsWSCKvTyG", "rmdir", ""));
  INFO(d);
  CHECK(d.find("- \"/tmp/tmp.*/out\"") != std::string::npos);
}

TEST_CASE("learn: a temporary name's pattern never reaches a protected path") {
  // A pattern /etc/* would match /etc/shadow, $HOME/.* ~/.ssh, /home/* other homes.
  const std::string y = draft(audit("/etc/nABC123", "openat", "O_WRONLY|O_CREAT") + audit("/etc/nABC123", "unlink", "") +
                              audit("/home/alice/.abcdef", "openat", "O_WRONLY|O_CREAT") +
                              audit("/home/alice/.abcdef", "rename", ""));
  INFO(y);
  CHECK(y.find("- \"/etc/nABC123\"") != std::string::npos);
  CHECK(y.find("- \"$HOME/.abcdef\"") != std::string::npos);
  std::istringstream lines(y);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("- \"") != std::string::npos) CHECK(line.find('*') == std::string::npos);
  }
}

TEST_CASE("learn: exec entries stay one per program, never DIR/**") {
  std::string log;
  for (const char* p : {"find", "grep", "ls", "tar", "wc", "cc", "sort"})
    log += audit(std::string("/usr/bin/") + p, "execve", "");
  const std::string y = draft(log);
  INFO(y);
  CHECK(y.find("/usr/bin/**") == std::string::npos);
  CHECK(y.find("- \"/usr/bin/sort\"") != std::string::npos);
  auto p = plan_of(y);
  const CommandPolicy* c = p->command_for("/usr/bin/tool");
  REQUIRE(c != nullptr);
  CHECK(p->decide(*c, exec_call("/usr/bin/grep")).permitted());
  CHECK_FALSE(p->decide(*c, exec_call("/usr/bin/bash")).permitted());
}
