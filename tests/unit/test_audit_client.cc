// AuditClient against a fake reader on a socket of its own: the handshake, replies awaited
// while DENIALs and LOSTs arrive, and what drain() returns. The peer-is-root check needs the
// fake to run as root; as another user the client must refuse it.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "enforcer/audit_client.h"

using namespace stsh::enforcer;
using std::chrono::milliseconds;

namespace {

// Listens on a fresh path; serve() runs `script` on the one accepted connection in a thread.
class FakeReader {
 public:
  FakeReader() {
    char dir[] = "/tmp/stsh-audit-client-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    dir_ = dir;
    path_ = dir_ + "/audit.sock";
    fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path_.c_str());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd_, 4) == 0);
  }
  ~FakeReader() {
    if (thread_.joinable()) thread_.join();
    close(fd_);
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }

  // `script(conn)`: reads and writes datagrams with get() and put().
  void serve(std::function<void(int)> script) {
    thread_ = std::thread([this, script] {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      script(c);
      close(c);
    });
  }

  static std::string get(int c) {
    char buf[512];
    const ssize_t n = recv(c, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }
  static void put(int c, const std::string& m) { (void)send(c, m.data(), m.size(), MSG_NOSIGNAL); }

 private:
  std::string dir_, path_;
  int fd_ = -1;
  std::thread thread_;
};

}  // namespace

TEST_CASE("AuditClient: a reader that is not root is refused") {
  if (geteuid() == 0) {
    WARN("run as root: the fake reader is root, so the refusal of another uid is not checked");
    return;
  }
  FakeReader fake;
  fake.serve([](int c) {
    (void)FakeReader::get(c);
    FakeReader::put(c, "READY version=1");
  });
  auto client = AuditClient::connect_to(fake.path(), milliseconds(2000));
  REQUIRE_FALSE(client.ok());
  CHECK(client.error().message.find("is not root") != std::string::npos);
}

TEST_CASE("AuditClient: handshake, register, barrier, drain") {
  if (geteuid() != 0) return;  // the client refuses a fake reader that is not root
  FakeReader fake;
  std::string seen_register, seen_unregister;
  fake.serve([&](int c) {
    if (FakeReader::get(c) != "HELLO version=1") return;
    FakeReader::put(c, "READY version=1");
    seen_register = FakeReader::get(c);
    // A denial and a late unrelated reply before the answer: buffered, not mistaken for it.
    FakeReader::put(c,
                    "DENIAL domain=1a creator=77 pid=78 syscall=257 blockers=fs.read_file "
                    "path=/tmp/a%20b%0Apath%3D/etc/shadow dev=vda ino=5 exe=/usr/bin/cat exit=-13");
    FakeReader::put(c, "OK pid=1");
    FakeReader::put(c, "OK pid=77");
    const std::string barrier = FakeReader::get(c);
    FakeReader::put(c, "LOST count=12 reason=kernel_lost");
    FakeReader::put(c, barrier);  // "BARRIER id=K": completed
    seen_unregister = FakeReader::get(c);
    FakeReader::put(c, "DENIAL not-a-valid=message=");
    FakeReader::put(c, "LOST count=3 reason=client_queue");
  });
  auto client = AuditClient::connect_to(fake.path(), milliseconds(2000));
  REQUIRE(client.ok());
  CHECK(client->fd() >= 0);
  CHECK(client->register_creator(77, milliseconds(2000)).ok());
  CHECK(seen_register == "REGISTER pid=77");
  CHECK(client->barrier(milliseconds(2000)));
  CHECK(client->unregister_creator(77).ok());
  AuditBatch first = client->drain();
  REQUIRE(first.denials.size() == 1);
  const KernelDenial& d = first.denials[0];
  CHECK(d.domain == "1a");
  CHECK(d.creator == 77);
  CHECK(d.pid == 78);
  CHECK(d.syscall == 257);
  CHECK(d.blockers == "fs.read_file");
  REQUIRE(d.get("path") != nullptr);
  CHECK(*d.get("path") == "/tmp/a b\npath=/etc/shadow");
  CHECK(*d.get("ino") == "5");
  CHECK(d.exe == "/usr/bin/cat");
  CHECK(d.exit == "-13");
  // What came after the UNREGISTER may be in the first batch or the second: the malformed
  // message is skipped, the LOSTs add up, and the end of the connection is reported.
  std::this_thread::sleep_for(milliseconds(100));
  AuditBatch second = client->drain();
  CHECK(seen_unregister == "UNREGISTER pid=77");
  CHECK(second.denials.empty());
  CHECK(first.lost() + second.lost() == 15);
  CHECK(first.losses.size() + second.losses.size() == 2);
  REQUIRE_FALSE(first.losses.empty());
  CHECK(first.losses[0].reason == "kernel_lost");
  CHECK((first.unavailable.has_value() || second.unavailable.has_value()));
}

TEST_CASE("AuditClient: the reasons it cannot be used are values") {
  if (geteuid() != 0) return;  // the client refuses a fake reader that is not root
  SECTION("nothing listens") {
    auto c = AuditClient::connect_to("/tmp/stsh-audit-client-nothing-here.sock", milliseconds(200));
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("not running") != std::string::npos);
  }
  SECTION("the reader says unavailable") {
    FakeReader fake;
    fake.serve([](int c) {
      (void)FakeReader::get(c);
      FakeReader::put(c, "UNAVAILABLE reason=audit_disabled");
    });
    auto c = AuditClient::connect_to(fake.path(), milliseconds(2000));
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message == "audit_disabled");
  }
  SECTION("REGISTER refused, and a barrier that timed out") {
    FakeReader fake;
    fake.serve([](int c) {
      (void)FakeReader::get(c);
      FakeReader::put(c, "READY version=1");
      (void)FakeReader::get(c);
      FakeReader::put(c, "ERR pid=5 reason=not_your_child");
      const std::string barrier = FakeReader::get(c);
      FakeReader::put(c, barrier + " timeout=1");
      (void)FakeReader::get(c);  // a barrier never answered
      (void)FakeReader::get(c);
    });
    auto c = AuditClient::connect_to(fake.path(), milliseconds(2000));
    REQUIRE(c.ok());
    auto st = c->register_creator(5, milliseconds(2000));
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().message.find("not_your_child") != std::string::npos);
    CHECK_FALSE(c->barrier(milliseconds(2000)));
    CHECK_FALSE(c->barrier(milliseconds(100)));
  }
}
