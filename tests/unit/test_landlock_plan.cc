// The Landlock domain derived from a Plan: which grants each kind of list entry, command key and
// rule yields, then the domain at work in a forked child (exec, reads and writes under it).
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>

#include "enforcer/landlock_plan.h"
#include "enforcer/unique_fd.h"
#include "policy_test_util.h"

namespace {

using stsh::UniqueFd;
using namespace stsh::enforcer;
using stsh::policy::Plan;
using stsh::policy::testing::compile_text;
using stsh::policy::testing::path_call;

constexpr int kRequiredAbi = 7;

std::shared_ptr<const Plan> plan_of(const std::string& yaml) {
  auto plan = compile_text(yaml);
  INFO((plan ? std::string() : plan.error().to_string()));
  REQUIRE(plan.ok());
  return *plan;
}

LandlockPlan derive(const std::string& yaml) {
  return derive_landlock_plan(*plan_of(yaml));
}

std::string real(const std::string& path) {
  char* r = realpath(path.c_str(), nullptr);
  REQUIRE(r != nullptr);
  std::string out(r);
  std::free(r);
  return out;
}

const LandlockGrant* find_grant(const LandlockPlan& lp, const std::string& path) {
  for (const LandlockGrant& g : lp.grants) {
    if (g.path == path) return &g;
  }
  return nullptr;
}

// The rights granted on `path`, 0 when there is no grant.
LandlockFsRights rights_on(const LandlockPlan& lp, const std::string& path) {
  const LandlockGrant* g = find_grant(lp, path);
  return g ? g->rights : 0;
}

bool restricts_everything(const LandlockPlan& lp) {
  return !lp.unrestricted_read && !lp.unrestricted_write && !lp.unrestricted_exec &&
         !lp.unrestricted_connect && !lp.unrestricted_bind && !lp.abstract_unix_connect &&
         lp.widened_by.empty();
}

const std::string kLdSo = "/lib64/ld-linux-x86-64.so.2";
constexpr LandlockFsRights kExecFile = kFsExecute | kFsReadFile;

// A scratch directory /tmp/stsh-ll-test-XXXXXX, removed with what the tests put in it.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/stsh-ll-test-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    path_ = name;
  }
  ~TempDir() {
    for (const std::string& f : files_) unlink((path_ + "/" + f).c_str());
    rmdir(path_.c_str());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) {
    files_.push_back(name);
    return path_ + "/" + name;
  }
  void write(const std::string& name, const std::string& content, mode_t mode = 0644) {
    const std::string p = *this / name;
    UniqueFd fd(open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    REQUIRE(fd);
    REQUIRE(::write(fd.get(), content.data(), content.size()) ==
            static_cast<ssize_t>(content.size()));
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
};

}  // namespace

TEST_CASE("landlock plan: the literal directory prefix of a glob", "[landlock_plan]") {
  CHECK(literal_directory_prefix("/usr/**") == "/usr");
  CHECK(literal_directory_prefix("/dev/pts/*") == "/dev/pts");
  CHECK(literal_directory_prefix("/srv/*/www/**") == "/srv");
  CHECK(literal_directory_prefix("/etc/ld.so.cache") == "/etc/ld.so.cache");
  CHECK(literal_directory_prefix("/home/alice/**") == "/home/alice");
  CHECK(literal_directory_prefix("/tmp/stsh-*/**") == "/tmp");
  CHECK(literal_directory_prefix("/usr/bin/ca?") == "/usr/bin");
  CHECK(literal_directory_prefix("/etc/[ab]x") == "/etc");
  CHECK(literal_directory_prefix("/etc/a\\*b") == "/etc");  // an escape ends the literal part too
  CHECK(literal_directory_prefix("/**") == "/");
  CHECK(literal_directory_prefix("/*") == "/");
  CHECK(literal_directory_prefix("/") == "/");
  CHECK(literal_directory_prefix("") == "/");
}

TEST_CASE("landlock plan: rights as text", "[landlock_plan]") {
  CHECK(fs_rights_text(0) == "none");
  CHECK(fs_rights_text(kFsRead) == "read");
  CHECK(fs_rights_text(kFsRead | kFsWrite) == "read|write");
  CHECK(fs_rights_text(kFsExec) == "read|execute");
  CHECK(fs_rights_text(kFsExecute | kFsReadFile) == "execute|read_file");
  CHECK(fs_rights_text(kFsMakeSock) == "make_sock");
}

TEST_CASE("landlock plan: read, write and exec list entries", "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/usr/**, /etc/ld.so.cache, /dev/null, /bin/**, /nonexistent/stsh/**]
  write: [/tmp/**, $HOME/**]
  exec: []
commands:
  /usr/bin/git:
    exec: [/usr/lib/git-core/*]
)");
  INFO(describe(lp));
  CHECK(restricts_everything(lp));

  CHECK(rights_on(lp, "/usr") == kFsRead);
  CHECK(rights_on(lp, "/etc/ld.so.cache") == kFsRead);  // the builder keeps the file rights
  CHECK(rights_on(lp, "/dev/null") == kFsRead);
  // /bin is a symlink to usr/bin: the grant names what Landlock binds.
  CHECK(find_grant(lp, "/bin") == nullptr);
  REQUIRE(find_grant(lp, "/usr/bin") != nullptr);
  CHECK(find_grant(lp, "/usr/bin")->why == "read list /bin/** (t.yaml:3:48)");
  CHECK(rights_on(lp, "/tmp") == (kFsRead | kFsWrite));
  CHECK(rights_on(lp, "/usr/lib/git-core") == kFsExec);
  CHECK(find_grant(lp, "/usr/lib/git-core")->why == "exec list /usr/lib/git-core/* (t.yaml:8:12)");
  // The command key: the login execs it.
  CHECK(rights_on(lp, "/usr/bin/git") == kFsExec);
  CHECK(find_grant(lp, "/usr/bin/git")->why == "command /usr/bin/git (t.yaml:7:3)");
  // execve() opens the ELF interpreter with EXECUTE.
  REQUIRE(find_grant(lp, real(kLdSo)) != nullptr);
  CHECK(rights_on(lp, real(kLdSo)) == kExecFile);
  CHECK_THAT(find_grant(lp, real(kLdSo))->why,
             Catch::StartsWith("interpreter execve() opens for "));

  // $HOME (/home/alice in these tests) does not exist here. $HOME/** names it, so the policy
  // lets it be created, which needs the rights on its directory.
  CHECK(rights_on(lp, "/home") == (kFsRead | kFsWrite));
  REQUIRE(find_grant(lp, "/home") != nullptr);
  CHECK(find_grant(lp, "/home")->why ==
        "write list /home/alice/** (t.yaml:4:20) [/home/alice does not exist: granted on /home so "
        "that it can be created]");
  // A missing path to read is only reported.
  REQUIRE(lp.skipped.size() == 1);
  CHECK(lp.skipped[0].path == "/nonexistent/stsh");
  CHECK(lp.skipped[0].reason == "ENOENT");
  CHECK(lp.skipped[0].why == "read list /nonexistent/stsh/** (t.yaml:3:57)");

  // One grant per path, sorted.
  for (size_t i = 1; i < lp.grants.size(); ++i) CHECK(lp.grants[i - 1].path < lp.grants[i].path);
  CHECK(lp.grants.size() == 9);
}

TEST_CASE("landlock plan: grants on the same path merge", "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/usr/**]
commands:
  /usr/bin/ls: {}
  /usr/bin/cat:
    read: [/usr/**, /etc/hostname]
    write: [/usr/**]
)");
  INFO(describe(lp));
  // Read by defaults and by cat's own list, written by cat: one grant.
  CHECK(rights_on(lp, "/usr") == (kFsRead | kFsWrite));
  CHECK(find_grant(lp, "/usr")->why ==
        "read list /usr/** (t.yaml:3:10); read list /usr/** (t.yaml:7:12); "
        "write list /usr/** (t.yaml:8:13)");
}

TEST_CASE("landlock plan: command keys, glob keys and missing keys", "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/usr/**]
commands:
  /usr/bin/cat: {}
  /bin/true: {}
  /usr/lib/git-core/git-*: {}
  /opt/stsh-none/tool: {}
  /usr/bin/find: { exec: ["@commands"] }
)");
  INFO(describe(lp));
  CHECK(rights_on(lp, "/usr/bin/cat") == kFsExec);
  CHECK(rights_on(lp, "/usr/bin/true") == kFsExec);  // canonical
  CHECK(rights_on(lp, "/usr/lib/git-core") == kFsExec);
  CHECK(rights_on(lp, "/usr/bin/find") == kFsExec);
  // Programs beneath an exec-granted directory get the psABI's interpreter.
  const LandlockGrant* ld = find_grant(lp, real(kLdSo));
  REQUIRE(ld != nullptr);
  CHECK(ld->rights == kExecFile);
  CHECK_THAT(ld->why, Catch::Contains("more"));  // several programs use it
  REQUIRE(lp.skipped.size() == 1);
  CHECK(lp.skipped[0].path == "/opt/stsh-none/tool");
  CHECK(lp.skipped[0].why == "command /opt/stsh-none/tool (t.yaml:8:3)");
  CHECK(restricts_everything(lp));
}

TEST_CASE("landlock plan: a #! script's interpreter chain gets EXECUTE", "[landlock_plan]") {
  TempDir dir;
  dir.write("script", "#!/bin/sh\necho hi\n", 0755);
  const LandlockPlan lp = derive("commands:\n  " + dir.path() + "/script: {}\n");
  INFO(describe(lp));
  CHECK(rights_on(lp, dir.path() + "/script") == kFsExec);
  const std::string sh = real("/bin/sh");
  REQUIRE(find_grant(lp, sh) != nullptr);
  CHECK(rights_on(lp, sh) == kExecFile);
  CHECK(find_grant(lp, sh)->why == "interpreter execve() opens for " + dir.path() + "/script");
  REQUIRE(find_grant(lp, real(kLdSo)) != nullptr);
  CHECK(find_grant(lp, real(kLdSo))->why == "interpreter execve() opens for " + sh);
}

TEST_CASE("landlock plan: write entries naming files", "[landlock_plan]") {
  TempDir dir;
  dir.write("exists", "x");
  const LandlockPlan lp = derive("defaults:\n  write: [" + dir.path() + "/exists, " + dir.path() +
                                 "/new, " + dir.path() + "/missing/deeper]\n");
  INFO(describe(lp));
  // An existing file: the file, and its directory for creating, removing or renaming it.
  CHECK(rights_on(lp, dir.path() + "/exists") == (kFsRead | kFsWrite));
  // A file to be created: only the directory can carry the rights it will have.
  CHECK(rights_on(lp, dir.path()) == (kFsRead | kFsWrite));
  const std::string why = find_grant(lp, dir.path())->why;
  CHECK_THAT(why, Catch::Contains("[to create, remove or rename it]"));
  CHECK_THAT(why, Catch::Contains(dir.path() + "/new does not exist: granted on " + dir.path()));
  // The policy cannot create missing/ (the entry names only missing/deeper): nothing to grant.
  REQUIRE(lp.skipped.size() == 1);
  CHECK(lp.skipped[0].path == dir.path() + "/missing/deeper");
}

TEST_CASE("landlock plan: a directory named alone may only be listed", "[landlock_plan]") {
  TempDir dir;
  const LandlockPlan lp = derive("defaults:\n  read: [/, /etc]\n  write: [" + dir.path() + "]\n");
  INFO(describe(lp));
  // The Plan admits "/" and "/etc" themselves, not what lies beneath; a Landlock rule reaches the
  // whole tree, so it carries only READ_DIR.
  CHECK(rights_on(lp, "/") == kFsReadDir);
  CHECK(rights_on(lp, "/etc") == kFsReadDir);
  // A directory in the write list: it may be listed, and removed or renamed through /tmp.
  CHECK(rights_on(lp, dir.path()) == kFsReadDir);
  CHECK(rights_on(lp, "/tmp") == (kFsWrite & ~kFsFileRights));
}

TEST_CASE("landlock plan: per-process paths become /proc", "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/proc/self/**, /proc/thread-self/**, /dev/stdin, /dev/fd/*, /proc/meminfo]
)");
  INFO(describe(lp));
  CHECK(rights_on(lp, "/proc") == kFsRead);
  CHECK_THAT(find_grant(lp, "/proc")->why,
             Catch::StartsWith("read list /proc/self/** (t.yaml:3:10) [/proc/self differs in "
                               "every process: granted on /proc]"));
  CHECK(rights_on(lp, "/proc/meminfo") == kFsRead);
  // Nothing bound to the deriving process's own /proc/PID or terminal.
  for (const LandlockGrant& g : lp.grants) {
    CHECK_FALSE(g.path.rfind("/proc/" + std::to_string(getpid()), 0) == 0);
    CHECK_FALSE(g.path.rfind("/dev/pts", 0) == 0);
  }
  CHECK(lp.grants.size() == 2);
}

TEST_CASE("landlock plan: writing an existing file needs its directory's tree rights",
          "[landlock_plan]") {
  const LandlockPlan lp = derive("defaults:\n  write: [/etc/hostname]\n");
  INFO(describe(lp));
  CHECK(rights_on(lp, "/etc/hostname") == (kFsRead | kFsWrite));
  // Creating, removing and renaming entries of /etc, not writing its other files.
  CHECK(rights_on(lp, "/etc") == (kFsWrite & ~kFsFileRights));
  CHECK((rights_on(lp, "/etc") & (kFsWriteFile | kFsReadFile)) == 0);
}

TEST_CASE("landlock plan: a permit rule on `true` lifts the family's restriction",
          "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/usr/**]
  rules:
    - fsread: true then permit
)");
  INFO(describe(lp));
  CHECK(lp.unrestricted_read);
  CHECK_FALSE(lp.unrestricted_write);
  CHECK_FALSE(lp.unrestricted_exec);
  CHECK_FALSE(lp.unrestricted_connect);
  REQUIRE(lp.widened_by.size() == 1);
  CHECK(lp.widened_by[0] == "read: rule t.yaml:5:7 (fsread: true then permit)");

  // A bare open-family syscall covers reading and writing opens.
  const LandlockPlan open = derive("defaults:\n  rules:\n    - openat: true then permit log\n");
  CHECK(open.unrestricted_read);
  CHECK(open.unrestricted_write);
  CHECK_FALSE(open.unrestricted_exec);
}

TEST_CASE("landlock plan: permit rules with eq / inpath / match grant their paths",
          "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
commands:
  /usr/bin/vim.basic:
    rules:
      - fsread: filename inpath "/etc/ssl" or filename eq "/etc/hostname" then permit
      - fsread: filename match "/usr/share/*/doc/**" then permit
      - exec: filename eq "/usr/bin/true" then permit
      - unlink: filename inpath "/tmp" then permit
)");
  INFO(describe(lp));
  CHECK(rights_on(lp, "/etc/ssl") == kFsRead);
  CHECK(rights_on(lp, "/etc/hostname") == kFsRead);
  CHECK(rights_on(lp, "/usr/share") == kFsRead);
  CHECK(rights_on(lp, "/usr/bin/true") == kFsExec);
  CHECK(rights_on(lp, real(kLdSo)) == kExecFile);
  CHECK(rights_on(lp, "/tmp") == (kFsRead | kFsWrite));
  CHECK_THAT(find_grant(lp, "/etc/ssl")->why,
             Catch::StartsWith("rule t.yaml:5:9 (fsread: filename inpath \"/etc/ssl\""));
  CHECK(restricts_everything(lp));
}

TEST_CASE("landlock plan: `and` is bounded by any conjunct, `not` and `re` by none",
          "[landlock_plan]") {
  const LandlockPlan bounded = derive(R"(
defaults:
  rules:
    - fsread: filename inpath "/etc/ssl" and oflags sub "O_CLOEXEC" then permit
)");
  CHECK(rights_on(bounded, "/etc/ssl") == kFsRead);
  CHECK(restricts_everything(bounded));

  const LandlockPlan negated =
      derive("defaults:\n  rules:\n    - fsread: not filename eq \"/etc/shadow\" then permit\n");
  CHECK(negated.unrestricted_read);
  const LandlockPlan regex =
      derive("defaults:\n  rules:\n    - fsread: filename re \"^/etc\" then permit\n");
  CHECK(regex.unrestricted_read);
  // A predicate on another operand does not bound the filename.
  const LandlockPlan flags =
      derive("defaults:\n  rules:\n    - fswrite: oflags sub \"O_APPEND\" then permit\n");
  CHECK(flags.unrestricted_write);
  CHECK_FALSE(flags.unrestricted_read);
}

TEST_CASE("landlock plan: deny and kill rules never widen", "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/usr/**]
  rules:
    - fsread: filename inpath "/etc/ssl" then deny
    - fsread: true then deny[eacces] log
    - exec: true then kill
    - connect: true then deny
)");
  INFO(describe(lp));
  CHECK(restricts_everything(lp));
  CHECK(find_grant(lp, "/etc/ssl") == nullptr);
  CHECK(lp.grants.size() == 1);
}

TEST_CASE("landlock plan: permit rules on syscalls Landlock does not mediate change nothing",
          "[landlock_plan]") {
  const std::string base = "defaults:\n  read: [/usr/**]\n";
  const LandlockPlan plain = derive(base);
  const LandlockPlan lp = derive(base + R"(  rules:
    - newfstatat: true then permit
    - stat: true then permit
    - statx: true then permit
    - readlink: true then permit
    - getxattr: true then permit
    - chdir: true then permit
    - chmod: true then permit
    - utimensat: true then permit
    - statfs: true then permit
)");
  INFO(describe(lp));
  CHECK(restricts_everything(lp));
  REQUIRE(lp.grants.size() == plain.grants.size());
  CHECK(lp.grants[0].path == "/usr");
  CHECK(lp.grants[0].rights == kFsRead);
}

TEST_CASE("landlock plan: a rule bounding filename bounds both paths of rename and link",
          "[landlock_plan]") {
  const std::string yaml = R"(
commands:
  /usr/bin/mv:
    rules:
      - fswrite: filename inpath "/tmp" then permit
)";
  // The Plan decides the second path as a write of its own: the rule does not carry it.
  auto plan = plan_of(yaml);
  auto c = path_call("rename", "/tmp/a");
  c.filename1 = "/etc/cron.d/x";
  CHECK_FALSE(plan->decide(*plan->command_for("/usr/bin/mv"), c).permitted());
  c.filename1 = "/tmp/b";
  CHECK(plan->decide(*plan->command_for("/usr/bin/mv"), c).permitted());
  // So the domain stays restricted, with /tmp writable.
  const LandlockPlan lp = derive_landlock_plan(*plan);
  CHECK_FALSE(lp.unrestricted_write);
  CHECK_FALSE(lp.unrestricted_read);

  // Bounding both paths keeps writes restricted.
  const LandlockPlan both = derive(R"(
defaults:
  rules:
    - rename: filename inpath "/tmp" and filename[1] inpath "/tmp" then permit
)");
  CHECK_FALSE(both.unrestricted_write);
  CHECK(rights_on(both, "/tmp") == (kFsRead | kFsWrite));
}

TEST_CASE("landlock plan: connect and bind entries", "[landlock_plan]") {
  TempDir dir;
  const LandlockPlan lp = derive(R"(
defaults:
  connect: ["inet:127.0.0.1:80", "inet:*:443", "inet6:[::1]:22", "unix:/run/app.sock"]
  bind: ["inet:127.0.0.1:8000-8004", "unix:)" +
                                 dir.path() + R"(/*.sock", "unix:/run/stsh-x.sock"]
  rules:
    - connect: sockaddr eq "inet:10.0.0.1:5432" or sockaddr match "inet:*:6379" then permit
)");
  INFO(describe(lp));
  CHECK(lp.tcp_connect == std::vector<std::uint16_t>{22, 80, 443, 5432, 6379});
  CHECK(lp.tcp_bind == std::vector<std::uint16_t>{8000, 8001, 8002, 8003, 8004});
  CHECK(restricts_everything(lp));
  // bind() creates a unix socket file: MAKE_SOCK where it is created.
  CHECK(rights_on(lp, dir.path()) == kFsMakeSock);
  CHECK(rights_on(lp, "/run") == kFsMakeSock);
}

TEST_CASE("landlock plan: TCP directions Landlock cannot narrow", "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
defaults:
  connect: ["inet:*:*", "unix:@x11-*"]
  bind: ["inet:127.0.0.1:1-65535"]
)");
  INFO(describe(lp));
  CHECK(lp.unrestricted_connect);
  CHECK(lp.unrestricted_bind);
  CHECK(lp.tcp_connect.empty());
  CHECK(lp.abstract_unix_connect);  // the X server's socket lies outside the domain
  CHECK_FALSE(lp.unrestricted_read);

  const LandlockPlan ranges = derive("defaults:\n  bind: [\"inet:*:1024-4096\"]\n");
  CHECK(ranges.unrestricted_bind);  // wider than one rule per port is worth
  CHECK_FALSE(ranges.unrestricted_connect);

  // A rule that does not bound the address: any port, any abstract socket, any socket path.
  const LandlockPlan net = derive("defaults:\n  rules:\n    - net: true then permit\n");
  CHECK(net.unrestricted_connect);
  CHECK(net.unrestricted_bind);
  CHECK(net.abstract_unix_connect);
  CHECK(rights_on(net, "/") == kFsMakeSock);
  CHECK_FALSE(net.unrestricted_write);
}

TEST_CASE("landlock plan: a non-enforcing session mode restricts nothing", "[landlock_plan]") {
  const LandlockPlan lp = derive("session:\n  mode: audit\ndefaults:\n  read: [/usr/**]\n");
  CHECK(lp.unrestricted_read);
  CHECK(lp.unrestricted_write);
  CHECK(lp.unrestricted_exec);
  CHECK(lp.unrestricted_connect);
  CHECK(lp.unrestricted_bind);
  CHECK(lp.abstract_unix_connect);
  CHECK_THAT(lp.widened_by[0], Catch::Contains("session mode audit does not enforce the policy"));
}

TEST_CASE("landlock plan: describe", "[landlock_plan]") {
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/usr/**, /nonexistent/x]
  connect: ["inet:*:443"]
  rules:
    - exec: true then permit
)");
  const std::string text = describe(lp);
  CHECK_THAT(text, Catch::Contains("  /usr  read  <- read list /usr/** (t.yaml:3:10)\n"));
  CHECK_THAT(text, Catch::Contains("  exec: NOT restricted\n"));
  CHECK_THAT(text, Catch::Contains("files are readable anywhere"));
  CHECK_THAT(text, Catch::Contains("tcp connect: 443\ntcp bind: none\n"));
  CHECK_THAT(text, Catch::Contains("exec: rule t.yaml:6:7 (exec: true then permit)"));
  CHECK_THAT(text, Catch::Contains("/nonexistent/x (ENOENT)"));
}

TEST_CASE("landlock plan: the ruleset leaves unrestricted families unhandled", "[landlock_plan]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  LandlockPlan lp;
  lp.grants.push_back({"/usr", kFsExec, "test"});
  lp.tcp_connect = {443};
  lp.tcp_bind = {443, 8080};
  {
    auto built = build_landlock(lp);
    REQUIRE(built.ok());
    // Listing is a metadata read (Plan::hide() is the supervisor's): READ_DIR is not handled.
    CHECK(built->handled_fs() == (kFsAllKnown & ~kFsIoctlDev & ~kFsReadDir));
    CHECK(built->handled_net() == (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP));
    CHECK(built->scoped() == (LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET));
    CHECK(built->skipped().empty());
  }
  lp.unrestricted_read = true;
  lp.unrestricted_exec = true;
  lp.unrestricted_connect = true;
  lp.abstract_unix_connect = true;
  {
    auto built = build_landlock(lp);
    REQUIRE(built.ok());
    CHECK((built->handled_fs() & (kFsRead | kFsExecute)) == 0);
    CHECK((built->handled_fs() & kFsWrite) == kFsWrite);
    CHECK(built->handled_net() == 0);  // bind cannot be handled without connect
    CHECK(built->scoped() == LANDLOCK_SCOPE_SIGNAL);
    CHECK(built->skipped().empty());  // no port rules, and /usr's rights are all unhandled
  }
  SECTION("ABI 3 with nothing left to handle builds no domain") {
    lp.unrestricted_write = true;
    auto built = build_landlock(lp, 3);
    REQUIRE(built.ok());
    CHECK_FALSE(built->enforced());
  }
}

// ---- The domain at work ----------------------------------------------------------------------

namespace {

struct Outcome {
  int status = -1;  // raw wait status
  std::string out, err;
  bool exited(int code) const { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
};

std::string drain(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  return s;
}

// Runs `op` in a forked child inside `ruleset`'s domain, its stdout and stderr captured; the
// child exits with op's result (or becomes the program op execs).
template <typename Op>
Outcome in_domain(const LandlockRuleset& ruleset, Op op) {
  int out[2], err[2];
  REQUIRE(pipe2(out, O_CLOEXEC) == 0);
  REQUIRE(pipe2(err, O_CLOEXEC) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(250);
    if (ruleset.restrict_self() != 0) _exit(251);
    _exit(op());
  }
  close(out[1]);
  close(err[1]);
  Outcome o;
  o.out = drain(out[0]);
  o.err = drain(err[0]);
  close(out[0]);
  close(err[0]);
  REQUIRE(waitpid(pid, &o.status, 0) == pid);
  return o;
}

int exec_argv(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  return 100 + errno;  // only when execv failed
}

int create_errno(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

LandlockRuleset build_ok(const LandlockPlan& lp) {
  auto built = build_landlock(lp);
  if (!built) FAIL(built.error().to_string());
  return std::move(built).value();
}

}  // namespace

TEST_CASE("landlock plan: execve() needs EXECUTE on the ELF interpreter", "[landlock_plan]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  // EXECUTE only on /usr/bin and reads on everything the loader maps: not enough.
  LandlockBuilder without;
  without.allow_path("/usr/bin", kFsExec);
  for (const char* dir : {"/usr", "/lib", "/lib64", "/etc/ld.so.cache"}) {
    without.allow_path(real(dir), kFsRead);
  }
  auto denied = std::move(without).build();
  REQUIRE(denied.ok());
  const auto run_true = [] { return exec_argv({"/usr/bin/true"}); };
  Outcome o = in_domain(*denied, run_true);
  INFO("status " << o.status << ": " << o.err);
  CHECK(o.exited(100 + EACCES));  // execve itself fails: the kernel opens ld.so with FMODE_EXEC

  // The same plus EXECUTE|READ_FILE on the interpreter file (libraries are only mmapped).
  LandlockBuilder with;
  with.allow_path("/usr/bin", kFsExec);
  for (const char* dir : {"/usr", "/lib", "/lib64", "/etc/ld.so.cache"}) {
    with.allow_path(real(dir), kFsRead);
  }
  with.allow_path(real(kLdSo), kExecFile);  // paths are canonical (landlock.h)
  auto allowed = std::move(with).build();
  REQUIRE(allowed.ok());
  o = in_domain(*allowed, run_true);
  INFO("status " << o.status << ": " << o.err);
  CHECK(o.exited(0));
}

TEST_CASE("landlock plan: a derived domain confines cat and writes", "[landlock_plan]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  TempDir dir;
  dir.write("hello", "hello from the domain\n");
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/usr/**, /lib/**, /lib64/**, /etc/ld.so.cache, /dev/null]
  write: [/tmp/stsh-ll-test-*/**]
commands:
  /usr/bin/cat: {}
)");
  INFO(describe(lp));
  REQUIRE(restricts_everything(lp));
  const LandlockRuleset ruleset = build_ok(lp);
  CHECK(ruleset.enforced());
  CHECK(ruleset.skipped().empty());

  SECTION("cat reads a file in an allowed directory") {
    const Outcome o = in_domain(ruleset, [&] {
      return exec_argv({"/usr/bin/cat", dir.path() + "/hello"});
    });
    INFO("status " << o.status << ", stderr: " << o.err);
    CHECK(o.exited(0));
    CHECK(o.out == "hello from the domain\n");
  }
  SECTION("cat cannot read /etc/hostname") {
    const Outcome o = in_domain(ruleset, [] {
      return exec_argv({"/usr/bin/cat", "/etc/hostname"});
    });
    INFO("status " << o.status << ", stderr: " << o.err);
    CHECK(o.exited(1));
    CHECK_THAT(o.err, Catch::Contains("/etc/hostname: Permission denied"));
    CHECK(o.out.empty());
  }
  SECTION("writes: the temporary directory yes, /var/tmp no") {
    const std::string inside = dir / "created";
    Outcome o = in_domain(ruleset, [&] { return create_errno(inside); });
    CHECK(o.exited(0));
    struct stat st {};
    CHECK(stat(inside.c_str(), &st) == 0);

    const std::string outside = "/var/tmp/stsh-ll-test-" + std::to_string(getpid());
    o = in_domain(ruleset, [&] { return create_errno(outside); });
    CHECK(o.exited(EACCES));
    CHECK(access(outside.c_str(), F_OK) != 0);
    unlink(outside.c_str());  // in case the domain failed to stop it
  }
  SECTION("programs outside the command keys cannot be executed") {
    const Outcome o = in_domain(ruleset, [] { return exec_argv({"/usr/bin/true"}); });
    CHECK(o.exited(100 + EACCES));
  }
}

TEST_CASE("landlock plan: /proc/self and listing-only directories at work", "[landlock_plan]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  const LandlockPlan lp = derive(R"(
defaults:
  read: [/, /usr/**, /lib/**, /lib64/**, /etc/ld.so.cache, /proc/self/**]
commands:
  /usr/bin/cat: {}
)");
  INFO(describe(lp));
  const LandlockRuleset ruleset = build_ok(lp);
  // The child's own /proc/self, not the deriving process's.
  Outcome o = in_domain(ruleset, [] { return exec_argv({"/usr/bin/cat", "/proc/self/status"}); });
  INFO("stderr: " << o.err);
  CHECK(o.exited(0));
  CHECK_THAT(o.out, Catch::Contains("Pid:"));
  // "/" alone: every directory may be listed, no file beneath it read.
  const auto open_errno = [](const char* path, int flags) {
    const int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0) return errno;
    close(fd);
    return 0;
  };
  CHECK(in_domain(ruleset, [&] { return open_errno("/", O_RDONLY | O_DIRECTORY); }).exited(0));
  CHECK(in_domain(ruleset, [&] { return open_errno("/etc", O_RDONLY | O_DIRECTORY); }).exited(0));
  CHECK(in_domain(ruleset, [&] { return open_errno("/etc/hostname", O_RDONLY); }).exited(EACCES));
}

TEST_CASE("landlock plan: bind creates unix sockets only where the bind list allows",
          "[landlock_plan]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  TempDir dir, other;
  const LandlockPlan lp = derive("defaults:\n  bind: [\"unix:" + dir.path() + "/*.sock\"]\n");
  INFO(describe(lp));
  const LandlockRuleset ruleset = build_ok(lp);
  const auto bind_at = [](const std::string& path) {
    return [path] {
      UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
      return bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
    };
  };
  CHECK(in_domain(ruleset, bind_at(dir / "a.sock")).exited(0));
  CHECK(in_domain(ruleset, bind_at(other / "a.sock")).exited(EACCES));
}
