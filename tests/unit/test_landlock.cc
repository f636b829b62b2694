// Landlock: each test builds a ruleset in the parent, then a forked child restricts itself and
// tries the operation; the parent asserts the exact errno (or the exit status of an exec).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <string>

#include "enforcer/landlock.h"
#include "enforcer/unique_fd.h"

namespace {

using stsh::UniqueFd;
using namespace stsh::enforcer;

// The development and CI machines run Linux 6.18 (Landlock ABI 7); these tests exercise features
// up to ABI 7 and must not pass vacuously on a kernel without them.
constexpr int kRequiredAbi = 7;

struct ChildOutcome {
  bool exited = false;
  int code = -1;
  bool signaled = false;
  int signal = 0;
};

std::ostream& operator<<(std::ostream& out, const ChildOutcome& o) {
  if (o.exited) {
    const char* name = strerrorname_np(o.code);
    return out << "exited " << o.code << " (" << (name ? name : "?") << ")";
  }
  if (o.signaled) return out << "killed by signal " << o.signal;
  return out << "no outcome";
}

ChildOutcome wait_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) FAIL("waitpid failed: " << std::strerror(errno));
  }
  ChildOutcome outcome;
  if (WIFEXITED(status)) {
    outcome.exited = true;
    outcome.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.signaled = true;
    outcome.signal = WTERMSIG(status);
  }
  return outcome;
}

constexpr int kNoNewPrivsFailed = 250;
constexpr int kRestrictFailed = 251;

// Runs `op` in a forked child inside `ruleset`'s domain; the child exits with op's result.
template <typename Op>
ChildOutcome in_domain(const LandlockRuleset& ruleset, Op op) {
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(kNoNewPrivsFailed);
    if (ruleset.restrict_self() != 0) _exit(kRestrictFailed);
    _exit(op());
  }
  return wait_child(pid);
}

int errno_of(long rc) {
  return rc < 0 ? errno : 0;
}

void check_errno(const ChildOutcome& outcome, int expected) {
  INFO("child " << outcome << ", expected " << (expected ? strerrorname_np(expected) : "success"));
  CHECK(outcome.exited);
  CHECK(outcome.code == expected);
}

int open_errno(const std::string& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

void write_file(const std::string& path, const std::string& content, mode_t mode = 0644) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  REQUIRE(fd);
  REQUIRE(write(fd.get(), content.data(), content.size()) == static_cast<ssize_t>(content.size()));
}

// A scratch tree: root/in/{file,sub/,true}, root/out/file, root/rw/.
class ScratchTree {
 public:
  ScratchTree() {
    char name[] = "/tmp/stsh-landlock-XXXXXX";
    REQUIRE(mkdtemp(name) != nullptr);
    root_ = name;
    for (const char* dir : {"/in", "/in/sub", "/out", "/rw"}) {
      REQUIRE(mkdir((root_ + dir).c_str(), 0755) == 0);
    }
    write_file(in("file"), "inside");
    write_file(out("file"), "outside");
    // A copy of /bin/true: executable by mode, but not beneath an exec-granted tree.
    UniqueFd src(open("/bin/true", O_RDONLY | O_CLOEXEC));
    REQUIRE(src);
    std::string bytes;
    char buf[65536];
    ssize_t n;
    while ((n = read(src.get(), buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
    write_file(in("true"), bytes, 0755);
  }
  ~ScratchTree() {
    for (const char* file :
         {"/in/file", "/in/true", "/out/file", "/rw/new", "/rw/chardev", "/in/new"}) {
      unlink((root_ + file).c_str());
    }
    for (const char* dir : {"/in/sub", "/in", "/out", "/rw", ""}) rmdir((root_ + dir).c_str());
  }
  ScratchTree(const ScratchTree&) = delete;
  ScratchTree& operator=(const ScratchTree&) = delete;

  std::string in(const std::string& rest = "") const { return root_ + "/in/" + rest; }
  std::string out(const std::string& rest = "") const { return root_ + "/out/" + rest; }
  std::string rw(const std::string& rest = "") const { return root_ + "/rw/" + rest; }

 private:
  std::string root_;
};

// A TCP listener on 127.0.0.1, on a port the kernel picks.
struct Listener {
  UniqueFd fd;
  std::uint16_t port = 0;
};

Listener listen_tcp() {
  Listener l;
  l.fd.reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(l.fd);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(l.fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(listen(l.fd.get(), 8) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(getsockname(l.fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  l.port = ntohs(addr.sin_port);
  return l;
}

int connect_tcp(std::uint16_t port) {
  UniqueFd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return errno;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return errno_of(connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr));
}

int bind_tcp(std::uint16_t port) {
  UniqueFd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return errno;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return errno_of(bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr));
}

LandlockRuleset build_ok(LandlockBuilder&& builder) {
  auto built = std::move(builder).build();
  if (!built) FAIL(built.error().to_string());
  return std::move(built).value();
}

}  // namespace

TEST_CASE("landlock: this kernel's ABI", "[landlock]") {
  INFO("Landlock ABI " << landlock_abi() << "; the tests need " << kRequiredAbi);
  REQUIRE(landlock_abi() >= kRequiredAbi);
  const LandlockRuleset ruleset = build_ok(LandlockBuilder());
  CHECK(ruleset.enforced());
  CHECK(ruleset.handled_fs() == kFsAllKnown);
  CHECK(ruleset.handled_net() == (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP));
  CHECK(ruleset.scoped() == (LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET));
  CHECK(ruleset.restrict_flags() ==
        (LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF | LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON));
}

TEST_CASE("landlock: reads beneath an allowed tree only", "[landlock]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  ScratchTree tree;
  const LandlockRuleset ruleset =
      build_ok(std::move(LandlockBuilder().allow_path(tree.in(), kFsRead)));
  CHECK(ruleset.skipped().empty());

  check_errno(in_domain(ruleset, [&] { return open_errno(tree.in("file"), O_RDONLY); }), 0);
  check_errno(
      in_domain(ruleset, [&] { return open_errno(tree.in("sub"), O_RDONLY | O_DIRECTORY); }), 0);
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.out("file"), O_RDONLY); }), EACCES);
  check_errno(in_domain(ruleset, [&] { return open_errno("/etc/passwd", O_RDONLY); }), EACCES);
  // Read-only: writing, truncating and creating are denied.
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.in("file"), O_WRONLY); }), EACCES);
  check_errno(in_domain(ruleset, [&] { return errno_of(truncate(tree.in("file").c_str(), 0)); }),
              EACCES);
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.in("new"), O_WRONLY | O_CREAT); }),
              EACCES);
}

TEST_CASE("landlock: writes beneath a writable tree only", "[landlock]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  ScratchTree tree;
  const LandlockRuleset ruleset = build_ok(std::move(
      LandlockBuilder().allow_path(tree.in(), kFsRead).allow_path(tree.rw(), kFsRead | kFsWrite)));
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.rw("new"), O_WRONLY | O_CREAT); }),
              0);
  check_errno(in_domain(ruleset, [&] { return errno_of(unlink(tree.rw("new").c_str())); }), 0);
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.in("new"), O_WRONLY | O_CREAT); }),
              EACCES);
  check_errno(in_domain(ruleset, [&] { return errno_of(unlink(tree.in("file").c_str())); }),
              EACCES);
  // A device node is never creatable through kFsWrite.
  check_errno(
      in_domain(ruleset,
                [&] { return errno_of(mknod(tree.rw("chardev").c_str(), S_IFCHR | 0600, 0)); }),
      EACCES);
}

TEST_CASE("landlock: a rule on a single file keeps only file rights", "[landlock]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  ScratchTree tree;
  // kFsRead | kFsWrite carry directory-only rights (READ_DIR, MAKE_*, REMOVE_*, REFER): passed to
  // the kernel unmasked they would make landlock_add_rule fail with EINVAL.
  const LandlockRuleset ruleset =
      build_ok(std::move(LandlockBuilder().allow_path(tree.in("file"), kFsRead | kFsWrite)));
  CHECK(ruleset.skipped().empty());
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.in("file"), O_RDWR); }), 0);
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.in("true"), O_RDONLY); }), EACCES);
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.in(), O_RDONLY | O_DIRECTORY); }),
              EACCES);
}

TEST_CASE("landlock: missing paths are skipped and reported", "[landlock]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  ScratchTree tree;
  const LandlockRuleset ruleset = build_ok(std::move(LandlockBuilder()
                                                         .allow_path(tree.in(), kFsRead)
                                                         .allow_path("/nonexistent/stsh", kFsRead)
                                                         .allow_path(tree.in("file/x"), kFsRead)));
  REQUIRE(ruleset.skipped().size() == 2);
  CHECK(ruleset.skipped()[0].rule == "path /nonexistent/stsh");
  CHECK(ruleset.skipped()[0].reason == "ENOENT");
  CHECK(ruleset.skipped()[1].reason == "ENOTDIR");
  check_errno(in_domain(ruleset, [&] { return open_errno(tree.in("file"), O_RDONLY); }), 0);
}

TEST_CASE("landlock: unknown access bits are an error", "[landlock]") {
  auto built = std::move(LandlockBuilder().allow_path("/tmp", kFsRead | (1ULL << 40))).build();
  REQUIRE(!built);
  CHECK(built.error().message ==
        "landlock: unknown filesystem access bits 0x10000000000 for path /tmp");
}

TEST_CASE("landlock: exec only beneath exec-granted trees", "[landlock]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  ScratchTree tree;
  LandlockBuilder builder;
  // Debian 12 is merged-/usr: /bin and /lib* are symlinks, which O_PATH follows into /usr.
  for (const char* system : {"/usr", "/bin", "/lib", "/lib64", "/etc"}) {
    builder.allow_path(system, kFsExec);
  }
  builder.allow_path(tree.in(), kFsRead);
  const LandlockRuleset ruleset = build_ok(std::move(builder));

  const auto exec_status = [&](const std::string& path) {
    return in_domain(ruleset, [&] {
      char* const argv[] = {const_cast<char*>(path.c_str()), nullptr};
      execv(path.c_str(), argv);
      return errno;  // only reached when execv failed
    });
  };
  check_errno(exec_status("/bin/true"), 0);
  check_errno(exec_status(tree.in("true")), EACCES);
}

TEST_CASE("landlock: TCP connect and bind by port", "[landlock]") {
  REQUIRE(landlock_abi() >= 4);
  Listener allowed = listen_tcp();
  Listener other = listen_tcp();
  const LandlockRuleset ruleset =
      build_ok(std::move(LandlockBuilder().allow_tcp_port(allowed.port, TcpAccess::kConnect)));
  check_errno(in_domain(ruleset, [&] { return connect_tcp(allowed.port); }), 0);
  check_errno(in_domain(ruleset, [&] { return connect_tcp(other.port); }), EACCES);
  // The Landlock check comes before the address-in-use check.
  check_errno(in_domain(ruleset, [&] { return bind_tcp(other.port); }), EACCES);
}

TEST_CASE("landlock: best effort on older ABIs", "[landlock]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  Listener other = listen_tcp();
  SECTION("ABI 3: no network rules, so TCP is not restricted") {
    const LandlockRuleset ruleset =
        build_ok(std::move(LandlockBuilder({}, 3).allow_tcp_port(443, TcpAccess::kConnect)));
    CHECK(ruleset.handled_net() == 0);
    CHECK(ruleset.scoped() == 0);
    CHECK(ruleset.restrict_flags() == 0);
    CHECK(ruleset.handled_fs() == landlock_fs_rights_for_abi(3));
    CHECK((ruleset.handled_fs() & kFsIoctlDev) == 0);
    REQUIRE(ruleset.skipped().size() == 1);
    CHECK(ruleset.skipped()[0].rule == "tcp port 443");
    CHECK(ruleset.skipped()[0].reason ==
          "network rules need Landlock ABI 4 (running: 3); TCP is not restricted");
    check_errno(in_domain(ruleset, [&] { return connect_tcp(other.port); }), 0);
  }
  SECTION("ABI 1: the first thirteen rights") {
    const LandlockRuleset ruleset = build_ok(LandlockBuilder({}, 1));
    CHECK(ruleset.handled_fs() == 0x1fff);
  }
  SECTION("ABI 0: nothing to enforce, and every rule reported") {
    const LandlockRuleset ruleset =
        build_ok(std::move(LandlockBuilder({}, 0).allow_path("/usr", kFsRead)));
    CHECK(!ruleset.enforced());
    CHECK(ruleset.restrict_self() == 0);
    REQUIRE(ruleset.skipped().size() == 1);
    CHECK(ruleset.skipped()[0].reason == "Landlock is not available");
  }
}

TEST_CASE("landlock: signals scoped to the domain", "[landlock]") {
  REQUIRE(landlock_abi() >= 6);
  const pid_t victim = fork();
  REQUIRE(victim >= 0);
  if (victim == 0) {
    pause();
    _exit(0);
  }
  const LandlockRuleset ruleset = build_ok(LandlockBuilder());
  check_errno(in_domain(ruleset, [&] { return errno_of(kill(victim, SIGTERM)); }), EPERM);
  check_errno(in_domain(ruleset, [&] { return errno_of(kill(getppid(), 0)); }), EPERM);
  // Inside the domain, signals still work: the child kills its own child.
  check_errno(in_domain(ruleset,
                        [&] {
                          const pid_t inner = fork();
                          if (inner < 0) return errno;
                          if (inner == 0) {
                            pause();
                            _exit(0);
                          }
                          const int rc = errno_of(kill(inner, SIGKILL));
                          waitpid(inner, nullptr, 0);
                          return rc;
                        }),
              0);
  REQUIRE(kill(victim, SIGKILL) == 0);
  const ChildOutcome outcome = wait_child(victim);
  CHECK(outcome.signaled);
  CHECK(outcome.signal == SIGKILL);  // it was alive until now: the SIGTERM never arrived
}

TEST_CASE("landlock: abstract unix sockets scoped to the domain", "[landlock]") {
  REQUIRE(landlock_abi() >= 6);
  const std::string name = "stsh-landlock-test-" + std::to_string(getpid());
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());  // sun_path[0] == 0: abstract
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());

  UniqueFd server(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(server);
  REQUIRE(bind(server.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0);
  REQUIRE(listen(server.get(), 4) == 0);

  const auto try_connect = [&] {
    UniqueFd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    return errno_of(connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), len));
  };
  const LandlockRuleset scoped = build_ok(LandlockBuilder());
  check_errno(in_domain(scoped, try_connect), EPERM);
  const LandlockRuleset unscoped = build_ok(LandlockBuilder({.scope_abstract_unix = false}));
  check_errno(in_domain(unscoped, try_connect), 0);
}

TEST_CASE("landlock: restrict_self needs no_new_privs without CAP_SYS_ADMIN", "[landlock]") {
  REQUIRE(landlock_abi() >= kRequiredAbi);
  const LandlockRuleset ruleset = build_ok(LandlockBuilder());
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(240);
    _exit(-ruleset.restrict_self());
  }
  check_errno(wait_child(pid), EPERM);
}
