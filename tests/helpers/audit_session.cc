// A tiny supervisor for tests/audit/audit_reader_test.sh: it forks children that make Landlock
// domains, registers them with stsh-audit through AuditClient, and prints what comes back.
//
//   audit_session status                       enabled=E backlog_limit=B lost=L
//   audit_session set-audit ENABLED BACKLOG    restore what a test changed
//   audit_session exec-denial UNREG_PATH       a registered child execs `cat /etc/hostname`
//                                              under a read-only-/usr domain; an unregistered
//                                              child is denied UNREG_PATH; barrier
//   audit_session latency N                    N denials, each timed to its DENIAL
//   audit_session flood N FLOOD_BIN PAUSE_MS [PATH]  a child runs FLOOD_BIN N PATH (N denials
//                                              of PATH, default /etc/hostname); the client
//                                              stops reading for PAUSE_MS first (0: it reads)
//   audit_session not-child PID                REGISTER of a pid that is not our child
//   audit_session orphan PATH                  the child is denied PATH after we have gone
//   audit_session hostile                      what a local user may throw at the socket
//
// Lines printed: "denial KEY=VALUE..." per DENIAL, "lost N REASON", "barrier ok|timeout",
// and summaries; the exit status is 0 when the step itself worked.
#include <fcntl.h>
#include <linux/landlock.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "enforcer/audit_client.h"
#include "enforcer/audit_netlink.h"
#include "enforcer/kernel_compat.h"
#include "stsh_config.h"

namespace {

using std::chrono::milliseconds;
using stsh::enforcer::AuditBatch;
using stsh::enforcer::AuditClient;
using stsh::enforcer::KernelDenial;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "audit_session: %s\n", what.c_str());
  std::exit(2);
}

// In the child: read-only /usr (and execute there), nothing else; audit logging kept across
// exec (LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON). Async-signal-safe enough for a child of a
// single-threaded parent.
void restrict_to_usr(const char* also_exec = nullptr) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(120);
  stsh::kcompat::LandlockRulesetAttr attr{};
  attr.handled_access_fs =
      LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_EXECUTE;
  const int rs = static_cast<int>(
      syscall(SYS_landlock_create_ruleset, &attr, stsh::kcompat::ruleset_attr_size(1), 0));
  if (rs < 0) _exit(121);
  landlock_path_beneath_attr rule{};
  rule.allowed_access = attr.handled_access_fs;
  rule.parent_fd = open("/usr", O_PATH | O_CLOEXEC);
  if (rule.parent_fd < 0) _exit(122);
  if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) _exit(123);
  if (also_exec != nullptr) {
    // One more file (the flood program of the build tree) that may be run.
    landlock_path_beneath_attr file{};
    file.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_EXECUTE;
    file.parent_fd = open(also_exec, O_PATH | O_CLOEXEC);
    if (file.parent_fd < 0 ||
        syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &file, 0) != 0)
      _exit(123);
    close(file.parent_fd);
  }
  if (syscall(SYS_landlock_restrict_self, rs, LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON) != 0)
    _exit(124);
  close(rs);
  close(rule.parent_fd);
}

struct Child {
  pid_t pid = -1;
  int go = -1;  // write a byte: the child may restrict itself and go on
};

// Forks a child that waits for a byte on a pipe, then runs `body` (which must not return).
template <typename Body>
Child fork_waiting(Body body) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) die("pipe2 failed");
  const pid_t pid = fork();
  if (pid < 0) die("fork failed");
  if (pid == 0) {
    close(p[1]);
    char c;
    if (read(p[0], &c, 1) != 1) _exit(125);
    close(p[0]);
    body();
    _exit(126);
  }
  close(p[0]);
  return Child{pid, p[1]};
}

void go(Child& c) {
  if (write(c.go, "g", 1) != 1) die("cannot start the child");
  close(c.go);
  c.go = -1;
}

int wait_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

AuditClient connect_or_die() {
  auto c = AuditClient::connect(milliseconds(2000));
  if (!c) die("connect: " + c.error().message);
  return std::move(*c);
}

void print(const AuditBatch& b) {
  for (const KernelDenial& d : b.denials) {
    std::string line = "denial domain=" + d.domain + " creator=" + std::to_string(d.creator);
    if (d.pid) line += " pid=" + std::to_string(*d.pid);
    if (d.syscall) line += " syscall=" + std::to_string(*d.syscall);
    line += " blockers=" + d.blockers;
    for (const auto& [k, v] : d.object) line += " " + k + "=" + v;
    if (!d.exe.empty()) line += " exe=" + d.exe;
    if (!d.exit.empty()) line += " exit=" + d.exit;
    std::printf("%s\n", line.c_str());
  }
  for (const auto& l : b.losses)
    std::printf("lost %llu %s\n", static_cast<unsigned long long>(l.count), l.reason.c_str());
  if (b.unavailable) std::printf("unavailable %s\n", b.unavailable->c_str());
}

double now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

int cmd_status() {
  auto ctl = stsh::enforcer::AuditControl::open();
  if (!ctl) die(ctl.error().message);
  auto st = ctl->get_status();
  if (!st) die(st.error().message);
  std::printf("enabled=%u backlog_limit=%u lost=%u\n", st->enabled, st->backlog_limit, st->lost);
  return 0;
}

int cmd_set_audit(const char* enabled, const char* backlog) {
  auto ctl = stsh::enforcer::AuditControl::open();
  if (!ctl) die(ctl.error().message);
  auto a = ctl->set_backlog_limit(static_cast<std::uint32_t>(std::strtoul(backlog, nullptr, 10)));
  auto b = ctl->set_enabled(static_cast<std::uint32_t>(std::strtoul(enabled, nullptr, 10)));
  if (!a || !b) die("AUDIT_SET failed");
  return 0;
}

int cmd_exec_denial(const char* unregistered_path) {
  AuditClient client = connect_or_die();
  Child reg = fork_waiting([] {
    restrict_to_usr();
    execl("/usr/bin/cat", "cat", "/etc/hostname", static_cast<char*>(nullptr));
    _exit(127);
  });
  const std::string path(unregistered_path);
  Child unreg = fork_waiting([path] {
    restrict_to_usr();
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    _exit(fd < 0 && errno == EACCES ? 0 : 1);
  });
  auto st = client.register_creator(reg.pid);
  if (!st) die(st.error().message);
  std::printf("registered %d\n", reg.pid);
  go(unreg);
  go(reg);
  const int s1 = wait_child(reg.pid);
  const int s2 = wait_child(unreg.pid);
  std::printf("cat exit=%d unregistered exit=%d\n", WEXITSTATUS(s1), WEXITSTATUS(s2));
  const bool done = client.barrier(milliseconds(2000));
  AuditBatch b = client.drain();
  print(b);
  std::printf("barrier %s\n", done ? "ok" : "timeout");
  (void)client.unregister_creator(reg.pid);
  return done ? 0 : 1;
}

int cmd_latency(int n) {
  AuditClient client = connect_or_die();
  int times[2], acks[2];
  if (pipe(times) != 0 || pipe(acks) != 0) die("pipe failed");
  Child child = fork_waiting([&] {
    close(times[0]);
    close(acks[1]);
    restrict_to_usr();
    for (int i = 0; i < n; ++i) {
      const double t0 = now_us();
      if (write(times[1], &t0, sizeof t0) != sizeof t0) _exit(1);
      const int fd = open("/etc/hostname", O_RDONLY);
      if (fd >= 0) _exit(2);
      char c;
      if (read(acks[0], &c, 1) != 1) _exit(3);
    }
    _exit(0);
  });
  close(times[1]);
  close(acks[0]);
  auto st = client.register_creator(child.pid);
  if (!st) die(st.error().message);
  go(child);
  std::vector<double> lat;
  for (int i = 0; i < n; ++i) {
    double t0 = 0;
    if (read(times[0], &t0, sizeof t0) != sizeof t0) die("child stopped");
    bool got = false;
    const double give_up = now_us() + 2e6;
    while (!got && now_us() < give_up) {
      pollfd p{client.fd(), POLLIN, 0};
      poll(&p, 1, 100);
      AuditBatch b = client.drain();
      for (const auto& d : b.denials) {
        const std::string* path = d.get("path");
        if (path != nullptr && *path == "/etc/hostname") got = true;
      }
    }
    if (!got) die("no DENIAL within 2 s");
    lat.push_back(now_us() - t0);
    if (write(acks[1], "a", 1) != 1) die("ack failed");
  }
  wait_child(child.pid);
  std::sort(lat.begin(), lat.end());
  auto q = [&](double f) {
    return lat[std::min(lat.size() - 1,
                        static_cast<std::size_t>(f * static_cast<double>(lat.size())))];
  };
  std::printf("latency_us n=%d min=%.0f median=%.0f p90=%.0f p99=%.0f max=%.0f\n", n, lat.front(),
              q(0.5), q(0.9), q(0.99), lat.back());
  (void)client.unregister_creator(child.pid);
  return 0;
}

int cmd_flood(int n, const char* flood_bin, int pause_ms, const std::string& target) {
  AuditClient client = connect_or_die();
  const std::string count = std::to_string(n);
  const std::string bin(flood_bin);
  Child child = fork_waiting([&] {
    restrict_to_usr(bin.c_str());
    execl(bin.c_str(), bin.c_str(), count.c_str(), target.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  });
  auto st = client.register_creator(child.pid);
  if (!st) die(st.error().message);
  std::printf("registered %d\n", child.pid);
  std::fflush(stdout);
  const double t0 = now_us();
  go(child);
  std::uint64_t delivered = 0, lost = 0;
  auto take = [&](const AuditBatch& b) {
    for (const auto& d : b.denials) {
      const std::string* path = d.get("path");
      if (path != nullptr && *path == target && d.pid == child.pid) ++delivered;
    }
    for (const auto& l : b.losses) {
      lost += l.count;
      std::printf("lost %llu %s\n", static_cast<unsigned long long>(l.count), l.reason.c_str());
    }
  };
  // A client that stops reading: the daemon must go on serving everyone else meanwhile.
  if (pause_ms > 0) std::this_thread::sleep_for(milliseconds(pause_ms));
  int status = 0;
  for (;;) {
    pollfd p{client.fd(), POLLIN, 0};
    poll(&p, 1, 50);
    take(client.drain());
    const pid_t r = waitpid(child.pid, &status, WNOHANG);
    if (r == child.pid) break;
  }
  const double t1 = now_us();
  const bool done = client.barrier(milliseconds(5000));
  take(client.drain());
  std::printf("flood n=%d child_exit=%d seconds=%.3f delivered=%llu lost=%llu barrier=%s\n", n,
              WEXITSTATUS(status), (t1 - t0) / 1e6, static_cast<unsigned long long>(delivered),
              static_cast<unsigned long long>(lost), done ? "ok" : "timeout");
  (void)client.unregister_creator(child.pid);
  return done ? 0 : 1;
}

int cmd_not_child(pid_t pid) {
  AuditClient client = connect_or_die();
  auto st = client.register_creator(pid);
  if (st) {
    std::printf("accepted %d\n", pid);
    return 1;
  }
  std::printf("refused %s\n", st.error().message.c_str());
  return 0;
}

int cmd_orphan(const char* path_arg) {
  AuditClient client = connect_or_die();
  const std::string path(path_arg);
  int gone[2];
  if (pipe2(gone, O_CLOEXEC) != 0) die("pipe2 failed");
  const int client_fd = client.fd();
  Child child = fork_waiting([&] {
    // The connection is close-on-exec, but this child does not exec: without this it would
    // keep the connection open after the parent has gone.
    close(client_fd);
    close(gone[1]);
    restrict_to_usr();
    // Wait until the parent, and with it the connection, has gone.
    char c;
    while (read(gone[0], &c, 1) > 0) {
    }
    usleep(300 * 1000);
    const int fd = open(path.c_str(), O_RDONLY);
    _exit(fd < 0 && errno == EACCES ? 0 : 1);
  });
  close(gone[0]);
  auto st = client.register_creator(child.pid);
  if (!st) die(st.error().message);
  go(child);
  std::printf("orphan %d\n", child.pid);
  return 0;  // exit: the socket and the pipe close
}

// A raw connection: what an attacker has, without the client library.
int raw_connect() {
  const int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, STSH_AUDIT_SOCKET);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string raw_request(int fd, const std::string& text) {
  // A refused connection may be closed before the request is sent; its answer is still there.
  const bool sent = send(fd, text.data(), text.size(), MSG_NOSIGNAL) >= 0;
  char buf[4096];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  // A refused connection reports ECONNRESET once (our request was left unread), then its answer.
  if (n < 0 && errno == ECONNRESET) n = recv(fd, buf, sizeof buf, 0);
  if (n == 0) return "closed";
  if (n < 0) return sent ? "no-answer" : "send-failed";
  return std::string(buf, static_cast<std::size_t>(n));
}

int cmd_hostile() {
  int failures = 0;
  auto expect = [&](const std::string& what, const std::string& got, const std::string& want) {
    const bool ok = got.rfind(want, 0) == 0;
    std::printf("%s %s: %s\n", ok ? "ok" : "FAIL", what.c_str(), got.c_str());
    if (!ok) ++failures;
  };
  int fd = raw_connect();
  if (fd < 0) die("connect failed");
  expect("a request before HELLO", raw_request(fd, "REGISTER pid=1"), "ERR reason=hello_first");
  expect("an unknown version", raw_request(fd, "HELLO version=2"), "UNAVAILABLE reason=version");
  expect("garbage", raw_request(fd, "HELLO version=1\n REGISTER pid=1"), "ERR reason=malformed");
  expect("HELLO", raw_request(fd, "HELLO version=1"), "READY version=1");
  expect("an unknown verb", raw_request(fd, "SHUTDOWN now=1"), "ERR reason=unknown_verb");
  expect("a bad pid", raw_request(fd, "REGISTER pid=-5"), "ERR reason=bad_pid");
  expect("pid 1", raw_request(fd, "REGISTER pid=1"), "ERR pid=1 reason=not_your_child");
  expect("a long barrier id", raw_request(fd, "BARRIER id=" + std::string(100, 'x')),
         "ERR reason=bad_barrier");
  expect("a datagram longer than any request", raw_request(fd, std::string(1000, 'A')), "closed");
  close(fd);

  // Many barriers at once from one client: each answered, those beyond 16 at once at once.
  fd = raw_connect();
  expect("HELLO", raw_request(fd, "HELLO version=1"), "READY version=1");
  for (int i = 0; i < 40; ++i) {
    const std::string req = "BARRIER id=" + std::to_string(i);
    send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  }
  int answered = 0, completed = 0;
  char buf[256];
  for (ssize_t n; answered < 40 && (n = recv(fd, buf, sizeof buf, 0)) > 0;) {
    const std::string reply(buf, static_cast<std::size_t>(n));
    if (reply.rfind("BARRIER id=", 0) != 0) continue;
    ++answered;
    if (reply.find("timeout") == std::string::npos) ++completed;
  }
  std::printf("%s 40 barriers at once: %d answered, %d completed\n",
              answered == 40 && completed >= 16 ? "ok" : "FAIL", answered, completed);
  if (answered != 40 || completed < 16) ++failures;
  close(fd);

  // Clients per uid are bounded: hold connections open until refused.
  std::vector<int> held;
  std::string refused;
  for (int i = 0; i < 80 && refused.empty(); ++i) {
    const int c = raw_connect();
    if (c < 0) break;
    const std::string r = raw_request(c, "HELLO version=1");
    if (r.rfind("READY", 0) != 0) refused = r;
    held.push_back(c);
  }
  std::printf("%s connections of one uid bounded after %zu: %s\n",
              refused.rfind("UNAVAILABLE reason=too_many_clients", 0) == 0 ? "ok" : "FAIL",
              held.size(), refused.c_str());
  if (refused.rfind("UNAVAILABLE reason=too_many_clients", 0) != 0) ++failures;
  for (int c : held) close(c);
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "status") return cmd_status();
  if (cmd == "set-audit" && argc == 4) return cmd_set_audit(argv[2], argv[3]);
  if (cmd == "exec-denial" && argc == 3) return cmd_exec_denial(argv[2]);
  if (cmd == "latency" && argc == 3) return cmd_latency(std::atoi(argv[2]));
  if (cmd == "flood" && (argc == 5 || argc == 6))
    return cmd_flood(std::atoi(argv[2]), argv[3], std::atoi(argv[4]),
                     argc == 6 ? argv[5] : "/etc/hostname");
  if (cmd == "not-child" && argc == 3) return cmd_not_child(static_cast<pid_t>(std::atoi(argv[2])));
  if (cmd == "orphan" && argc == 3) return cmd_orphan(argv[2]);
  if (cmd == "hostile") return cmd_hostile();
  std::fprintf(stderr, "usage: see tests/helpers/audit_session.cc\n");
  return 2;
}
