// The audit record parser, the event assembler, and stsh-audit's wire format: what the kernel
// writes, and what a user who names files can make it write.
#include <catch2/catch.hpp>

#include "enforcer/audit_client.h"
#include "enforcer/audit_protocol.h"
#include "enforcer/audit_records.h"

using namespace stsh::enforcer;
using namespace stsh::enforcer::audit;

namespace {

// The bytes of `s` as the kernel's audit_log_n_hex() writes them.
std::string hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

AuditRecord parsed(int type, const std::string& text) {
  auto r = parse_record(type, text);
  INFO(text);
  REQUIRE(r.ok());
  return *r;
}

const std::string kAccess =
    "audit(1729738800.221:34): domain=1a6fdc679 blockers=fs.write_file path=\"/etc/passwd\" "
    "dev=\"vda2\" ino=143821";
const std::string kDomain =
    "audit(1729738800.221:34): domain=1a6fdc679 status=allocated mode=enforcing pid=289 uid=1000 "
    "exe=\"/root/sandboxer\" comm=\"sandboxer\"";
const std::string kSyscall =
    "audit(1729738800.221:34): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c "
    "a1=7ffd a2=241 a3=1b6 items=0 ppid=272 pid=289 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 "
    "egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"sh\" exe=\"/usr/bin/bash\" subj=unconfined "
    "key=(null)";

}  // namespace

TEST_CASE("audit records: the kernel's documented examples") {
  const auto a = parsed(kTypeLandlockAccess, kAccess);
  CHECK(a.stamp.seconds == 1729738800);
  CHECK(a.stamp.millis == 221);
  CHECK(a.stamp.serial == 34);
  auto access = to_landlock_access(a);
  REQUIRE(access.ok());
  CHECK(access->domain == "1a6fdc679");
  CHECK(access->blockers == "fs.write_file");
  REQUIRE(access->object.size() == 3);
  CHECK(access->object[0] == std::pair<std::string, std::string>("path", "/etc/passwd"));
  CHECK(access->object[1] == std::pair<std::string, std::string>("dev", "vda2"));
  CHECK(access->object[2] == std::pair<std::string, std::string>("ino", "143821"));

  auto domain = to_landlock_domain(parsed(kTypeLandlockDomain, kDomain));
  REQUIRE(domain.ok());
  CHECK(domain->status == "allocated");
  CHECK(domain->pid == 289);
  CHECK(domain->uid == 1000u);
  CHECK(domain->exe == "/root/sandboxer");

  auto sys = to_syscall(parsed(kTypeSyscall, kSyscall));
  REQUIRE(sys.ok());
  CHECK(sys->pid == 289);
  CHECK(sys->syscall == 257);
  CHECK(sys->exit == "-13");
  CHECK(sys->exe == "/usr/bin/bash");

  // Signals and net: other object fields, raw names.
  auto sig = to_landlock_access(parsed(
      kTypeLandlockAccess,
      "audit(1729738800.268:30): domain=1a6fdc66f blockers=scope.signal opid=1 ocomm=\"systemd\""));
  REQUIRE(sig.ok());
  CHECK(sig->object[0].first == "opid");
  CHECK(sig->object[1] == std::pair<std::string, std::string>("ocomm", "systemd"));
  auto net = to_landlock_access(
      parsed(kTypeLandlockAccess,
             "audit(1.001:7): domain=1f blockers=net.connect_tcp daddr=127.0.0.1 dest=443"));
  REQUIRE(net.ok());
  CHECK(net->object[0] == std::pair<std::string, std::string>("daddr", "127.0.0.1"));
  CHECK(net->object[1] == std::pair<std::string, std::string>("dest", "443"));

  auto dealloc = to_landlock_domain(parsed(
      kTypeLandlockDomain, "audit(1.324:31): domain=1a6fdc66f status=deallocated denials=1"));
  REQUIRE(dealloc.ok());
  CHECK(dealloc->status == "deallocated");
  CHECK_FALSE(dealloc->pid.has_value());
}

TEST_CASE("audit records: hostile file names arrive as hex and decode to the same bytes") {
  const std::string names[] = {
      "/tmp/a\"b",
      "/tmp/with space",
      "/tmp/line\nbreak",
      "/tmp/x path=/etc/shadow",
      "/tmp/\" blockers=fs.execute path=\"/etc/shadow",
      std::string("/tmp/nul\0byte", 13),
      "/tmp/\xff\xfe\x01",
  };
  for (const auto& name : names) {
    const std::string text =
        "audit(5.000:9): domain=2a blockers=fs.read_file path=" + hex(name) + " dev=\"vda\" ino=3";
    auto a = to_landlock_access(parsed(kTypeLandlockAccess, text));
    REQUIRE(a.ok());
    CHECK(a->blockers == "fs.read_file");
    REQUIRE(a->object.size() == 3);
    CHECK(a->object[0].second == name);
  }
  // An executable path with a space in the domain record, likewise.
  auto d = to_landlock_domain(
      parsed(kTypeLandlockDomain,
             "audit(5.000:9): domain=2a status=allocated mode=enforcing pid=4 uid=0 exe=" +
                 hex("/opt/my tool") + " comm=" + hex("my tool")));
  REQUIRE(d.ok());
  CHECK(d->exe == "/opt/my tool");
  // Numbers stay numbers: hex is decoded for untrusted keys only.
  auto n = parsed(kTypeLandlockAccess, "audit(5.000:9): domain=2a blockers=fs.read_file ino=1234");
  CHECK(*n.get("ino") == "1234");
  // The kernel's words for "nothing" are kept as written.
  auto k = parsed(kTypeSyscall, "audit(5.000:9): syscall=2 pid=3 exe=(null) key=(null)");
  CHECK(*k.get("exe") == "(null)");
  auto p = parsed(kTypeLandlockAccess,
                  "audit(5.000:9): domain=2a blockers=fs.read_file path=<too_long>");
  CHECK(*p.get("path") == "<too_long>");
}

TEST_CASE("audit records: strict about everything the kernel does not write") {
  const char* bad[] = {
      "",                                                           // no stamp
      "audit(1.2:3)",                                               // no "):"
      "audit(x.2:3): domain=1",                                     // bad seconds
      "audit(1.2000:3): domain=1",                                  // millis > 999
      "audit(1.2:3):domain=1",                                      // no space after the stamp
      "audit(1.2:3): domain=1  blockers=fs.read_file",              // two spaces
      "audit(1.2:3): domain=1 blockers=fs.read_file ",              // trailing space
      "audit(1.2:3): domain=1 domain=2 blockers=fs.read_file",      // a repeated key
      "audit(1.2:3): domain=1 blockers=fs.read_file path=\"/a",     // unterminated quote
      "audit(1.2:3): domain=1 blockers=fs.read_file path=\"/a\"b",  // junk after a quote
      "audit(1.2:3): domain=1 blockers=fs.read_file path=2f61",     // lower-case hex
      "audit(1.2:3): domain=1 blockers=fs.read_file path=2F6",      // odd-length hex
      "audit(1.2:3): domain=1 blockers=fs.read_file path=/etc",  // untrusted key unquoted, not hex
      "audit(1.2:3): domain=1 blockers= path=\"/a\"",            // empty value
      "audit(1.2:3): =1",                                        // empty key
      "audit(1.2:3): domain=1 blockers=fs.read_file ino=1\n2",   // a raw newline inside
      "audit(1.2:3): domain=1 blockers=fs.read_file dev=\"a b\"",  // space inside quotes
      "audit(1.2:3): domain=1 blockers=fs.read_file ino=a\"b",     // a quote inside a token
  };
  for (const char* text : bad) {
    INFO(text);
    CHECK_FALSE(parse_record(kTypeLandlockAccess, text).ok());
  }
  // A record without domain or blockers parses, but is not a Landlock access.
  CHECK_FALSE(to_landlock_access(parsed(kTypeLandlockAccess, "audit(1.2:3): ino=4")).ok());
  CHECK_FALSE(to_landlock_domain(parsed(kTypeLandlockDomain,
                                        "audit(1.2:3): domain=1 status=allocated pid=x uid=0"))
                  .ok());
  // The kernel's trailing NUL or newline is not part of the record.
  CHECK(parse_record(kTypeLandlockAccess, std::string("audit(1.2:3): domain=1 blockers=b\n\0", 35))
            .ok());
}

TEST_CASE("event assembler: records of one serial, ended by EOE, timeout or flush") {
  using Clock = EventAssembler::Clock;
  EventAssembler asm_(std::chrono::milliseconds(200), 4);
  std::vector<LandlockEvent> done;
  const auto t0 = Clock::now();
  asm_.feed(parsed(kTypeLandlockAccess, kAccess), t0, &done);
  asm_.feed(parsed(kTypeLandlockDomain, kDomain), t0, &done);
  // Another serial's SYSCALL (an auditd rule's) is not kept.
  asm_.feed(parsed(kTypeSyscall, "audit(1.0:99): syscall=1 pid=5"), t0, &done);
  CHECK(asm_.pending() == 1);
  asm_.feed(parsed(kTypeSyscall, kSyscall), t0, &done);
  CHECK(done.empty());
  asm_.feed(parsed(kTypeEoe, "audit(1729738800.221:34): "), t0, &done);
  REQUIRE(done.size() == 1);
  CHECK(done[0].complete);
  CHECK(done[0].accesses.size() == 1);
  CHECK(done[0].domains.size() == 1);
  REQUIRE(done[0].syscall.has_value());
  CHECK(done[0].syscall->pid == 289);
  done.clear();

  // A lone record (no audit context) ends by the timeout, without a SYSCALL.
  asm_.feed(parsed(kTypeLandlockAccess, "audit(2.0:40): domain=1 blockers=fs.read_file"), t0,
            &done);
  asm_.expire(t0 + std::chrono::milliseconds(100), &done);
  CHECK(done.empty());
  asm_.expire(t0 + std::chrono::milliseconds(200), &done);
  REQUIRE(done.size() == 1);
  CHECK_FALSE(done[0].complete);
  CHECK_FALSE(done[0].syscall.has_value());
  done.clear();

  // A barrier ends whatever is open; more open events than the bound end the oldest early.
  for (int s = 50; s < 56; ++s)
    asm_.feed(parsed(kTypeLandlockAccess,
                     "audit(3.0:" + std::to_string(s) + "): domain=1 blockers=fs.read_file"),
              t0, &done);
  CHECK(done.size() == 2);
  CHECK(done[0].stamp.serial == 50);
  CHECK(asm_.pending() == 4);
  asm_.flush_if([](const LandlockEvent& e) { return e.stamp.serial == 53; }, &done);
  CHECK(done.size() == 3);
  CHECK(done[2].stamp.serial == 53);
  CHECK(asm_.pending() == 3);
  asm_.flush(&done);
  CHECK(done.size() == 6);
  CHECK(asm_.pending() == 0);

  // A deallocation is an event of its own.
  done.clear();
  asm_.feed(parsed(kTypeLandlockDomain, "audit(4.0:60): domain=1 status=deallocated denials=3"), t0,
            &done);
  CHECK(done.size() == 1);
}

TEST_CASE("stsh-audit wire format: percent-encoding round trip and strictness") {
  using namespace stsh::enforcer::audit_wire;
  const std::string path = "/tmp/we\"ird name\n path=/etc/shadow %41=\xff";
  Message m{"DENIAL", {}};
  m.add("domain", "1a").add("creator", 42).add("blockers", "fs.read_file").add("path", path);
  const std::string text = m.text();
  CHECK(text.find('\n') == std::string::npos);
  CHECK(text.find(" path=/etc/shadow") == std::string::npos);
  CHECK(text ==
        "DENIAL domain=1a creator=42 blockers=fs.read_file "
        "path=/tmp/we\"ird%20name%0A%20path%3D/etc/shadow%20%2541%3D%FF");
  auto back = parse_message(text);
  REQUIRE(back.ok());
  CHECK(back->verb == "DENIAL");
  CHECK(*back->get("path") == path);
  CHECK(back->number("creator") == 42);

  auto d = denial_from_message(*back);
  REQUIRE(d.has_value());
  CHECK(d->creator == 42);
  REQUIRE(d->get("path") != nullptr);
  CHECK(*d->get("path") == path);

  const char* bad[] = {"",
                       "hello version=1",
                       "HELLO version",
                       "HELLO  version=1",
                       "HELLO version=1 ",
                       "HELLO version=%4",
                       "HELLO version=%zz",
                       "HELLO version=a=b",
                       "HELLO version=1 version=2",
                       "HELLO Version=1",
                       "HELLO version=\x01"};
  for (const char* t : bad) {
    INFO(t);
    CHECK_FALSE(parse_message(t).ok());
  }
  CHECK(parse_message("BARRIER id=7 timeout=1").ok());
  CHECK(parse_message("READY").ok());
  // Empty values encode to nothing and come back empty.
  CHECK(*parse_message("LOST reason=").value().get("reason") == "");
}
