// The violation log: records that cannot be forged or hidden and parse back to their values
// (record_format), a rate limit that never holds back a first record (rate_limiter), and a
// sender that never blocks and counts what it could not deliver (syslog_sender), through a
// fake sink so no daemon is needed, and once through a real unix socket nobody reads.
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "enforcer/rate_limiter.h"
#include "enforcer/record_format.h"
#include "enforcer/syslog_sender.h"
#include "enforcer/unique_fd.h"
#include "enforcer/violation_log.h"

namespace {

using namespace stsh::enforcer;
using namespace std::chrono_literals;
using Fields = std::vector<std::pair<std::string, std::string>>;

Violation open_of(std::string path, std::string exe = "/usr/bin/perl") {
  Violation v;
  v.pid = 42;
  v.ppid = 1;
  v.exe = std::move(exe);
  v.command_entry = "(login)";
  v.call.syscall = 257;  // openat
  v.call.filename = std::move(path);
  v.decision = stsh::policy::Decision{stsh::policy::Verdict::deny, 13, true, "default"};
  return v;
}

bool one_clean_line(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

Record parsed(const std::string& text) {
  auto r = parse_record(text);
  INFO(text << (r ? std::string() : " -> " + r.error().to_string()));
  REQUIRE(r.ok());
  return *r;
}

// A sink the test steers: accepting, full (would block), or gone (no daemon).
class FakeSink : public DatagramSink {
 public:
  enum class Mode { accept, full, down };
  struct Shared {
    std::mutex mu;
    Mode mode = Mode::accept;
    std::vector<std::string> got;
    int connects = 0;
    bool absent = false;  // no socket at all
  };
  explicit FakeSink(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
  SendStatus send(std::string_view d) override {
    std::lock_guard lock(s_->mu);
    if (s_->mode == Mode::full) return SendStatus::would_block;
    if (s_->mode == Mode::down) return SendStatus::disconnected;
    s_->got.emplace_back(d);
    return SendStatus::sent;
  }
  bool connect() override {
    std::lock_guard lock(s_->mu);
    ++s_->connects;
    return s_->mode != Mode::down;
  }
  void wait_writable(std::chrono::milliseconds t) override { std::this_thread::sleep_for(t / 10); }
  bool absent() const override {
    std::lock_guard lock(s_->mu);
    return s_->absent;
  }

 private:
  std::shared_ptr<Shared> s_;
};

// The message part of each datagram the fake got ("<PRI>... ident[pid]: MSG").
std::vector<std::string> messages(FakeSink::Shared& s) {
  std::lock_guard lock(s.mu);
  std::vector<std::string> out;
  for (const auto& d : s.got) out.push_back(d.substr(d.find("]: ") + 3));
  return out;
}

bool eventually(const std::function<bool()>& f, std::chrono::milliseconds limit = 3s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

stsh::policy::Session test_session(unsigned burst = 20) {
  stsh::policy::Session s;
  s.logging.facility = LOG_LOCAL5;
  s.logging.ident = "stsh-unit";
  s.logging.burst = burst;
  s.logging.interval_s = 10;
  return s;
}

}  // namespace

// ---- record_format ---------------------------------------------------------------------

TEST_CASE("a file name cannot put a control byte into a record (attack)", "[log]") {
  for (std::string name : {"/tmp/x\nviolation\tuser:root", "/tmp/a\rb", "/tmp/\x1b[2Jx",
                           "/tmp/\x7f", "/tmp/\xff\xfe"}) {
    const std::string text =
        ViolationLog::format(open_of(name), "alice", "s1", "t.yaml", stsh::policy::Mode::enforce);
    INFO(text);
    CHECK(one_clean_line(text));
    CHECK(*parsed(text).get("path") == name);
  }
}

TEST_CASE("adversarial values parse back to themselves", "[log]") {
  const std::vector<std::string> values = {
      "",
      "plain",
      " user=root",
      "x user=root session=forged",
      "a\nviolation user=root",
      "\r\n",
      "\t",
      "\x1b[2J\x1b]0;title\x07",
      std::string("nul\0inside", 10),
      "\x7f",
      "\xff\xfe\x80",
      "\xc0\xaf",          // overlong '/'
      "\xed\xa0\x80",      // a surrogate
      "\xf4\x90\x80\x80",  // past U+10FFFF
      "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac",
      "\xe2\x80\xae"
      "evil",          // RIGHT-TO-LEFT OVERRIDE
      "\xe2\x80\xa8",  // LINE SEPARATOR
      "\xc2\x85",      // NEL (C1)
      "\"quoted\"",
      "back\\slash\\",
      "=",
      "\\x41",
      "\\",
  };
  for (const std::string& v : values) {
    const std::string text = RecordBuilder("violation").add("path", v).add("n", "1").text();
    INFO(text);
    CHECK(one_clean_line(text));
    CHECK(text.find("\xe2\x80") == std::string::npos);
    CHECK(text.find("\xc2\x85") == std::string::npos);
    const Record r = parsed(text);
    CHECK(r.type == "violation");
    REQUIRE(r.fields.size() == 2);
    CHECK(r.fields[0] == std::pair<std::string, std::string>{"path", v});
    CHECK(r.fields[1] == std::pair<std::string, std::string>{"n", "1"});
  }
  // Valid UTF-8 stays readable.
  CHECK(escape_value("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(escape_value("/usr/bin/ls") == "/usr/bin/ls");
  CHECK(escape_value("") == "\"\"");
}

TEST_CASE("random bytes parse back to themselves", "[log]") {
  std::mt19937 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    std::string v(rng() % 40, '\0');
    for (char& c : v) c = static_cast<char>(rng() % 256);
    const std::string text = RecordBuilder("t").add("a", v).add("b", v + "=").text();
    REQUIRE(one_clean_line(text));
    const Record r = parsed(text);
    REQUIRE(r.fields.size() == 2);
    REQUIRE(r.fields[0].second == v);
    REQUIRE(r.fields[1].second == v + "=");
  }
}

TEST_CASE("the parser refuses what we do not write", "[log]") {
  for (const char* bad : {"", " a=1", "t a", "t a=", "t a=\"x", "t a=\"x\ny\"", "t a=\"\\q\"",
                          "t a=\"\\x4\"", "t a=1  b=2", "t a=1 b=\"x\"y", "t =1", "t a=x\"y"}) {
    INFO(bad);
    CHECK_FALSE(parse_record(bad).ok());
  }
}

TEST_CASE("long values are cut, and the record says which", "[log]") {
  const std::string text = RecordBuilder("t").add("argv", std::string(3000, 'a')).text();
  const Record r = parsed(text);
  CHECK(r.get("argv")->size() == kMaxValueBytes);
  CHECK(*r.get("truncated") == "argv");
  // A record of many long, badly escaped values still fits a daemon's 8 KiB.
  Violation v = open_of(std::string(4000, '\x01'), std::string(4000, '\x02'));
  v.call.filename1 = std::string(4000, '\x03');
  v.call.argv = {std::string(4000, '\x04')};
  const std::string big =
      ViolationLog::format(v, "u", "s", std::string(4000, '\x05'), stsh::policy::Mode::enforce);
  CHECK(big.size() <= 8000);
  CHECK(parsed(big).get("truncated") != nullptr);
  CHECK(*parsed(big).get("mode") == "enforce");
}

TEST_CASE("caller keys cannot break a record", "[log]") {
  const std::string text = RecordBuilder("session").add("a b=c", "v").add("", "w").text();
  const Record r = parsed(text);
  CHECK(r.fields[0].first == "a_b_c");
  CHECK(r.fields[1].first == "_");
}

// ---- rate_limiter ----------------------------------------------------------------------

TEST_CASE("twenty junk denials cannot hide the first of another (attack)", "[log]") {
  RateLimiter limit(20, 10s);
  limit.roll(RateLimiter::Clock::now());
  for (int i = 0; i < 20; ++i)
    CHECK(limit.admit({"/usr/bin/perl", "openat", "path", "/junk" + std::to_string(i), "", ""}));
  for (int i = 0; i < 100; ++i) limit.admit({"/usr/bin/perl", "openat", "path", "/junk0", "", ""});
  CHECK(limit.admit({"/usr/bin/perl", "openat", "path", "/etc/shadow", "", ""}));
  // The same target from another program, or by another call, is another first.
  CHECK(limit.admit({"/usr/bin/python3", "openat", "path", "/etc/shadow", "", ""}));
  CHECK(limit.admit({"/usr/bin/perl", "execve", "path", "/etc/shadow", "", ""}));
  CHECK_FALSE(limit.admit({"/usr/bin/perl", "openat", "path", "/etc/shadow", "", ""}));
  // A logged permit of a file does not make the denial of it a repeat.
  CHECK(limit.admit({"/usr/bin/perl", "openat", "path", "/etc/shadow", "", "deny[EACCES]"}));
  const auto held = limit.take();
  REQUIRE(held.size() == 2);
  CHECK(held[0].key.target == "/junk0");
  CHECK(held[0].count == 100);
  CHECK(held[1].key.target == "/etc/shadow");
  CHECK(held[1].count == 1);
  CHECK(limit.suppressed_total() == 101);
}

TEST_CASE("a new window writes repeats again and summarises the last one", "[log]") {
  RateLimiter limit(2, 10s);
  const auto t0 = RateLimiter::Clock::now();
  CHECK(limit.roll(t0).empty());
  const RateKey k{"/bin/cat", "openat", "path", "/etc/shadow", "", ""};
  CHECK(limit.admit(k));
  CHECK(limit.admit(k));
  CHECK_FALSE(limit.admit(k));
  CHECK_FALSE(limit.admit(k));
  CHECK(limit.roll(t0 + 5s).empty());
  const auto held = limit.roll(t0 + 11s);
  REQUIRE(held.size() == 1);
  CHECK(held[0].count == 2);
  CHECK(limit.admit(k));
  CHECK(limit.take().empty());
}

TEST_CASE("millions of distinct denials: bounded memory, every first written", "[log]") {
  RateLimiter limit(20, 10s, /* max_keys= */ 64);
  limit.roll(RateLimiter::Clock::now());
  const RateKey hot{"/bin/x", "openat", "path", "/hot", "", ""};
  limit.admit(hot);
  for (int i = 0; i < 100; ++i) limit.admit(hot);  // 19 written, 81 held against /hot
  for (int i = 0; i < 200000; ++i) {
    REQUIRE(limit.admit({"/bin/x", "openat", "path", "/d" + std::to_string(i), "", ""}));
  }
  CHECK(limit.remembered() <= 64);
  // /hot was forgotten: its next record is written as a first, and its held repeats are
  // in the aggregate, not lost.
  CHECK(limit.admit(hot));
  const auto held = limit.take();
  REQUIRE(held.size() == 1);
  CHECK(held[0].key.exe.empty());
  CHECK(held[0].count == 81);
  CHECK(held[0].keys == 1);
}

TEST_CASE("summaries are bounded: the rest is one aggregate", "[log]") {
  RateLimiter limit(0, 10s);
  limit.roll(RateLimiter::Clock::now());
  for (int k = 0; k < 50; ++k) {
    for (int i = 0; i < 3 + k; ++i)
      limit.admit({"/bin/x", "openat", "path", "/f" + std::to_string(k), "", ""});
  }
  const auto held = limit.take();
  REQUIRE(held.size() == RateLimiter::kMaxSummaries + 1);
  CHECK(held[0].key.target == "/f49");
  CHECK(held.back().key.exe.empty());
  CHECK(held.back().keys == 50 - RateLimiter::kMaxSummaries);
  std::uint64_t total = 0;
  for (const auto& h : held) total += h.count;
  CHECK(total == limit.suppressed_total());
}

// ---- syslog_sender ---------------------------------------------------------------------

TEST_CASE("the syslog header is glibc's", "[log]") {
  const auto when = std::chrono::system_clock::from_time_t(0);
  const std::string h = syslog_header(LOG_AUTHPRIV, LOG_WARNING, "stsh", 77, when);
  CHECK(h.rfind("<84>", 0) == 0);
  CHECK(h.size() == std::string("<84>Jan  1 00:00:00 stsh[77]: ").size());
  CHECK(h.substr(h.size() - 11) == " stsh[77]: ");
}

TEST_CASE("a full socket never blocks submit; the overflow is counted and reported", "[log]") {
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->mode = FakeSink::Mode::full;
  SyslogSender sender(
      std::make_unique<FakeSink>(shared), "t", LOG_LOCAL5,
      [](std::uint64_t n, std::uint64_t v) {
        return "undelivered count=" + std::to_string(n) + " violations=" + std::to_string(v);
      },
      /* max_records= */ 16);
  const auto start = std::chrono::steady_clock::now();
  unsigned accepted = 0;
  for (int i = 0; i < 2000; ++i)
    accepted += sender.submit(LOG_WARNING, "r" + std::to_string(i), RecordKind::violation);
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(accepted == 16);
  CHECK(sender.stats().undelivered == 1984);
  CHECK_FALSE(sender.flush(std::chrono::steady_clock::now() + 100ms));
  {
    std::lock_guard lock(shared->mu);
    shared->mode = FakeSink::Mode::accept;
  }
  CHECK(sender.flush(std::chrono::steady_clock::now() + 3s));
  const auto got = messages(*shared);
  REQUIRE(got.size() == 17);
  CHECK(got[0] == "undelivered count=1984 violations=1984");
  CHECK(got[1] == "r0");
  CHECK(got[16] == "r15");
  const SenderStats s = sender.close(std::chrono::steady_clock::now());
  CHECK(s.sent == 17);
  CHECK(s.undelivered == 1984);
  CHECK(s.unreported == 0);
}

TEST_CASE("records wait out a daemon restart, in order", "[log]") {
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->mode = FakeSink::Mode::down;
  SyslogSender sender(std::make_unique<FakeSink>(shared), "t", LOG_LOCAL5, nullptr);
  for (int i = 0; i < 17; ++i) sender.submit(LOG_WARNING, "r" + std::to_string(i));
  std::this_thread::sleep_for(300ms);
  CHECK(messages(*shared).empty());
  CHECK(shared->connects >= 2);  // it keeps trying
  {
    std::lock_guard lock(shared->mu);
    shared->mode = FakeSink::Mode::accept;
  }
  CHECK(sender.flush(std::chrono::steady_clock::now() + 3s));
  const auto got = messages(*shared);
  REQUIRE(got.size() == 17);
  for (int i = 0; i < 17; ++i) CHECK(got[i] == "r" + std::to_string(i));
}

TEST_CASE("close is bounded; what is left is counted", "[log]") {
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->mode = FakeSink::Mode::full;
  SyslogSender sender(std::make_unique<FakeSink>(shared), "t", LOG_LOCAL5, nullptr);
  for (int i = 0; i < 5; ++i) sender.submit(LOG_WARNING, "r", RecordKind::violation);
  sender.submit(LOG_NOTICE, "session event=end", RecordKind::end);
  const auto start = std::chrono::steady_clock::now();
  const SenderStats s = sender.close(start + 300ms);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 250ms);
  CHECK(took < 1500ms);
  CHECK(s.undelivered == 6);
  CHECK(s.undelivered_violations == 5);
  CHECK(s.unreported == 6);
}

TEST_CASE("the end record is never refused and carries the totals", "[log]") {
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->mode = FakeSink::Mode::full;
  const auto session = test_session();
  {
    ViolationLog log(session, "alice", "s1", "t.yaml", std::make_unique<FakeSink>(shared),
                     /* max_queued= */ 4);
    for (int i = 0; i < 10; ++i) log.record(open_of("/secret/f" + std::to_string(i)));
    CHECK(log.totals().undelivered == 6);
    {
      std::lock_guard lock(shared->mu);
      shared->mode = FakeSink::Mode::accept;
    }
    log.event("end", {{"status", "0"}, {"violations", std::to_string(log.violations())}});
  }
  const auto got = messages(*shared);
  REQUIRE(got.size() == 6);  // the loss record, 4 violations, the end
  const Record loss = parsed(got[0]);
  CHECK(loss.type == "undelivered");
  CHECK(*loss.get("count") == "6");
  CHECK(*loss.get("violations") == "6");
  CHECK(*loss.get("message") == "6 records could not be delivered");
  const Record end = parsed(got.back());
  CHECK(end.type == "session");
  CHECK(*end.get("event") == "end");
  CHECK(*end.get("status") == "0");
  CHECK(*end.get("violations") == "10");
  CHECK(*end.get("suppressed") == "0");
  CHECK(*end.get("sent") == "5");
  CHECK(*end.get("undelivered") == "6");
}

TEST_CASE("the violation log: the one that matters and the summary of repeats", "[log]") {
  auto shared = std::make_shared<FakeSink::Shared>();
  const auto session = test_session();
  {
    ViolationLog log(session, "alice", "s1", "t.yaml", std::make_unique<FakeSink>(shared));
    for (int i = 0; i < 20; ++i) log.record(open_of("/secret/junk" + std::to_string(i)));
    for (int i = 0; i < 37; ++i) log.record(open_of("/etc/shadow", "/usr/bin/python3"));
    log.record(open_of("/secret/matters"));
    log.event("start", {{"command", "x\ny user=root"}});
    CHECK(log.violations() == 58);
  }  // no "end" event: the destructor writes it
  const auto got = messages(*shared);
  std::vector<Record> records;
  for (const auto& m : got) {
    CHECK(one_clean_line(m));
    records.push_back(parsed(m));
  }
  auto find = [&](const std::string& type, const std::string& key, const std::string& value) {
    for (const Record& r : records) {
      if (r.type == type && r.get(key) && *r.get(key) == value) return &r;
    }
    return static_cast<const Record*>(nullptr);
  };
  CHECK(find("violation", "path", "/secret/matters") != nullptr);
  CHECK(find("violation", "path", "/etc/shadow") != nullptr);
  const Record* held = find("suppressed", "path", "/etc/shadow");
  REQUIRE(held != nullptr);
  CHECK(*held->get("exe") == "/usr/bin/python3");
  CHECK(*held->get("syscall") == "openat");
  CHECK(*held->get("count") == "36");
  CHECK(*held->get("action") == "deny[EACCES]");
  CHECK(*held->get("rate_limit") == "20/10s");
  CHECK(find("session", "command", "x\ny user=root") != nullptr);
  const Record* end = find("session", "event", "end");
  REQUIRE(end != nullptr);
  CHECK(*end->get("violations") == "58");
  CHECK(*end->get("suppressed") == "36");
  CHECK(*end->get("undelivered") == "0");
  CHECK(got.size() == 20 + 1 + 1 + 1 + 1 + 1);  // junk, shadow, matters, start, summary, end
}

TEST_CASE("a forked child's logging touches nothing", "[log]") {
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->mode = FakeSink::Mode::full;  // the thread is busy retrying when we fork
  const auto session = test_session();
  auto* log =
      new ViolationLog(session, "alice", "s1", "t.yaml", std::make_unique<FakeSink>(shared));
  for (int i = 0; i < 100; ++i) log->record(open_of("/f" + std::to_string(i)));
  for (int round = 0; round < 20; ++round) {
    const pid_t pid = fork();
    if (pid == 0) {
      log->record(open_of("/child"));
      delete log;
      _exit(0);
    }
    int status = -1;
    CHECK(eventually([&] { return waitpid(pid, &status, WNOHANG) == pid; }));
    CHECK(status == 0);
  }
  {
    std::lock_guard lock(shared->mu);
    shared->mode = FakeSink::Mode::accept;
  }
  delete log;
  for (const auto& m : messages(*shared)) CHECK(m.find("/child") == std::string::npos);
}

TEST_CASE("a real socket nobody reads: submit does not block, the queue drains later", "[log]") {
  char dir[] = "/tmp/stsh-unit-log.XXXXXX";
  REQUIRE(mkdtemp(dir) != nullptr);
  const std::string path = std::string(dir) + "/sock";
  auto bind_at = [&] {
    stsh::UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    path.copy(a.sun_path, sizeof a.sun_path - 1);
    unlink(path.c_str());
    REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    return fd;
  };
  auto drain = [](int fd, std::vector<std::string>& into) {
    char buf[9000];
    for (;;) {
      const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) return;
      into.emplace_back(buf, static_cast<std::size_t>(n));
    }
  };
  stsh::UniqueFd daemon = bind_at();
  SyslogSender sender(std::make_unique<UnixDatagramSink>(path), "stsh-unit", LOG_LOCAL5, nullptr);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 300; ++i) sender.submit(LOG_WARNING, "record " + std::to_string(i));
  CHECK(std::chrono::steady_clock::now() - start < 500ms);
  std::this_thread::sleep_for(200ms);
  CHECK(sender.stats().queued > 200);  // the socket took a few; the rest wait
  std::vector<std::string> got;
  CHECK(eventually([&] {
    drain(daemon.get(), got);
    return got.size() == 300;
  }));
  // The daemon restarts: a new socket under the same name, found again.
  daemon = bind_at();
  for (int i = 300; i < 320; ++i) sender.submit(LOG_WARNING, "record " + std::to_string(i));
  CHECK(eventually([&] {
    drain(daemon.get(), got);
    return got.size() == 320;
  }));
  REQUIRE(got.size() == 320);
  for (int i = 0; i < 320; ++i) {
    const std::string& d = got[i];
    CHECK(d.rfind("<172>", 0) == 0);
    CHECK(d.find(" stsh-unit[" + std::to_string(getpid()) + "]: record " + std::to_string(i)) !=
          std::string::npos);
  }
  sender.close(std::chrono::steady_clock::now());
  unlink(path.c_str());
  rmdir(dir);
}

TEST_CASE("no syslog socket at all: the end of a session does not wait for one", "[log]") {
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->mode = FakeSink::Mode::down;
  shared->absent = true;
  const auto session = test_session();
  const auto start = std::chrono::steady_clock::now();
  {
    ViolationLog log(session, "alice", "s1", "t.yaml", std::make_unique<FakeSink>(shared));
    log.record(open_of("/f"));
    std::this_thread::sleep_for(300ms);  // the sender is in its backoff
    log.event("end", {{"status", "0"}});
    CHECK(log.totals().queued == 2);
  }
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  // A socket that is there but refuses (a daemon restarting) is waited for.
  shared->absent = false;
  const auto again = std::chrono::steady_clock::now();
  { ViolationLog log(session, "alice", "s2", "t.yaml", std::make_unique<FakeSink>(shared)); }
  CHECK(std::chrono::steady_clock::now() - again >= 1900ms);
}

TEST_CASE("without a thread the caller sends, never waiting, and catches up later", "[log]") {
  auto shared = std::make_shared<FakeSink::Shared>();
  shared->mode = FakeSink::Mode::full;
  SyslogSender sender(
      std::make_unique<FakeSink>(shared), "t", LOG_LOCAL5,
      [](std::uint64_t n, std::uint64_t) { return "lost " + std::to_string(n); },
      /* max_records= */ 8, SyslogSender::kMaxBytes, SyslogSender::Threading::caller);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) sender.submit(LOG_WARNING, "r" + std::to_string(i));
  CHECK(std::chrono::steady_clock::now() - start < 500ms);
  CHECK(messages(*shared).empty());
  {
    std::lock_guard lock(shared->mu);
    shared->mode = FakeSink::Mode::accept;
  }
  sender.submit(LOG_WARNING, "next");  // the first record after the stall: everything goes
  auto got = messages(*shared);
  REQUIRE(got.size() == 10);
  CHECK(got[0] == "lost 92");
  CHECK(got[1] == "r0");
  CHECK(got[8] == "r7");
  CHECK(got[9] == "next");
  {
    std::lock_guard lock(shared->mu);
    shared->mode = FakeSink::Mode::full;
  }
  sender.submit(LOG_NOTICE, "session event=end", RecordKind::end);
  const auto closing = std::chrono::steady_clock::now();
  const SenderStats s = sender.close(closing + 300ms);
  CHECK(std::chrono::steady_clock::now() - closing < 1s);
  CHECK(s.sent == 10);
  CHECK(s.undelivered == 93);  // 92, and the end record
  CHECK(s.unreported == 1);
}
