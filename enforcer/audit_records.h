// The text of Linux audit records, read strictly, and the grouping of records into events.
//
// A record read from the audit netlink socket is a type number (the netlink message type) and
// a text: "audit(SEC.MSEC:SERIAL): key=value key=value ...". The kernel writes values that come
// from users (paths, executable names, comm) through audit_log_untrustedstring(): in double
// quotes when every byte is in 0x21-0x7e and none is '"', otherwise as upper-case hex of the
// bytes without quotes. So a file named `a" path=/x` arrives as hex and cannot fake a field; we
// decode hex only for the keys the kernel writes that way (kUntrustedKeys), so `ino=351` is a
// number and `path=2F6574` is "/et".
//
// Records of one event share the serial. An event of a system call ends with AUDIT_EOE (the
// SYSCALL record comes at the call's exit, after the Landlock records made during it); a record
// made outside any audit context is an event alone, and nothing says so: the assembler ends an
// event at EOE, at a timeout, or when told that everything before a point has arrived (a
// barrier).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/result.h"

namespace stsh::enforcer::audit {

// Record types (the netlink message type). Checked against linux/audit.h of Linux 6.18;
// Debian 12's 6.1 headers lack the Landlock ones.
inline constexpr int kTypeUser = 1005;     // AUDIT_USER: a message from user space (our barriers)
inline constexpr int kTypeSyscall = 1300;  // AUDIT_SYSCALL
inline constexpr int kTypeEoe = 1320;      // AUDIT_EOE: end of a multi-record event
inline constexpr int kTypeLandlockAccess = 1423;  // AUDIT_LANDLOCK_ACCESS, Linux 6.15
inline constexpr int kTypeLandlockDomain = 1424;  // AUDIT_LANDLOCK_DOMAIN, Linux 6.15

struct Stamp {
  std::uint64_t seconds = 0;
  std::uint32_t millis = 0;
  std::uint64_t serial = 0;
};

struct AuditRecord {
  int type = 0;
  Stamp stamp;
  std::vector<std::pair<std::string, std::string>> fields;  // decoded values, in order

  [[nodiscard]] const std::string* get(std::string_view key) const;
};

// Keys whose values the kernel writes with audit_log_untrustedstring() (or d_path through it).
bool is_untrusted_key(std::string_view key);

// "audit(SEC.MSEC:SERIAL): " and nothing more; the rest of the text after it in *rest.
Result<Stamp> parse_stamp(std::string_view text, std::string_view* rest);

// The whole record: strict. Keys are [a-z0-9_-]+, fields are separated by one space, a key
// appears once, values are "quoted" (0x21-0x7e, no '"'), 'single-quoted' (only for msg=, which
// user messages use), hex (untrusted keys only) or a plain token (0x21-0x7e, no quote).
Result<AuditRecord> parse_record(int type, std::string_view text);

// What a Landlock denial names.
struct LandlockAccess {
  std::string domain;    // hex id, as the kernel wrote it
  std::string blockers;  // "fs.read_file" or "fs.make_reg,fs.refer"
  // The object: path, dev, ino for files; saddr, src, daddr, dest, netif for sockets;
  // opid, ocomm for signals. Raw names and decoded values, in the kernel's order.
  std::vector<std::pair<std::string, std::string>> object;
};

struct LandlockDomain {
  std::string domain;
  std::string status;  // "allocated" or "deallocated"
  // For status=allocated: the creator, at landlock_restrict_self() time.
  std::optional<pid_t> pid;
  std::optional<uid_t> uid;
  std::string exe;
};

struct SyscallInfo {
  std::optional<pid_t> pid;
  std::optional<long> syscall;
  std::string exit;  // as written: "-13"
  std::string exe;
};

Result<LandlockAccess> to_landlock_access(const AuditRecord& record);
Result<LandlockDomain> to_landlock_domain(const AuditRecord& record);
Result<SyscallInfo> to_syscall(const AuditRecord& record);

// One event with Landlock content: what a consumer needs.
struct LandlockEvent {
  Stamp stamp;
  std::vector<LandlockAccess> accesses;
  std::vector<LandlockDomain> domains;
  std::optional<SyscallInfo> syscall;
  bool complete = false;  // ended by EOE (false: by timeout, barrier or overflow)
};

// Groups records by serial. Only serials that carry a Landlock record are kept: a SYSCALL or EOE
// of another serial is dropped at once (an auditd with syscall rules makes many). At most
// `max_pending` events are open; one more ends the oldest early. Each feed() is O(log n).
class EventAssembler {
 public:
  using Clock = std::chrono::steady_clock;
  explicit EventAssembler(std::chrono::milliseconds timeout = std::chrono::milliseconds(200),
                          std::size_t max_pending = 4096)
      : timeout_(timeout), max_pending_(max_pending) {}

  // A record of a type this assembler uses (others are ignored). Ended events are appended to
  // *done.
  void feed(const AuditRecord& record, Clock::time_point now, std::vector<LandlockEvent>* done);
  // A Landlock record that did not parse: its event cannot be attributed. Counted.
  void note_unparsed() { ++unparsed_; }
  // Ends events open for longer than the timeout.
  void expire(Clock::time_point now, std::vector<LandlockEvent>* done);
  // Ends every open event (everything before a barrier has arrived).
  void flush(std::vector<LandlockEvent>* done);
  // Ends the open events for which `pred(event)` is true.
  void flush_if(const std::function<bool(const LandlockEvent&)>& pred,
                std::vector<LandlockEvent>* done);

  [[nodiscard]] std::size_t pending() const { return open_.size(); }
  [[nodiscard]] std::uint64_t unparsed() const { return unparsed_; }
  [[nodiscard]] std::uint64_t malformed() const { return malformed_; }

 private:
  struct Open {
    LandlockEvent event;
    Clock::time_point started;
  };
  void end(std::map<std::uint64_t, Open>::iterator it, std::vector<LandlockEvent>* done);

  std::chrono::milliseconds timeout_;
  std::size_t max_pending_;
  std::map<std::uint64_t, Open> open_;  // by serial
  std::uint64_t unparsed_ = 0;
  std::uint64_t malformed_ = 0;  // Landlock/SYSCALL records whose fields were not what we need
};

}  // namespace stsh::enforcer::audit
