// One syslog record per violation, key=value fields (enforcer/record_format.h: every value
// escaped, one line that parses back), rate-limited per the Plan's session settings without
// ever holding back the first record of a kind (enforcer/rate_limiter.h). Logging never
// blocks enforcement: records go through a bounded queue to a sender thread that never waits
// on the daemon for long, and what cannot be delivered is counted and reported
// (enforcer/syslog_sender.h).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "enforcer/rate_limiter.h"
#include "enforcer/syslog_sender.h"
#include "policy/call.h"
#include "policy/session.h"

namespace stsh::enforcer {

struct Violation {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string exe;            // the image that made the call
  std::string command_entry;  // the policy entry it ran under ("file:line" or "(login)")
  policy::Call call;          // canonical, as the Plan decided it
  policy::Decision decision;
  bool audit = false;  // audit mode: permitted, logged as would-be denial
};

// A short random id that ties a session's records together ("3f9a0c1b2d4e").
std::string new_session_id();

// The session's own account, carried by its end record.
struct LogTotals {
  unsigned violations = 0;
  std::uint64_t sent = 0;         // records handed to the daemon
  std::uint64_t suppressed = 0;   // repeats held back by the rate limit (and summarised)
  std::uint64_t undelivered = 0;  // records that could not be delivered (and were reported)
  std::uint64_t undelivered_violations = 0;
  std::uint64_t queued = 0;  // waiting for the daemon now
};

// Used from one thread, the one that decides (the supervisor's loop, the shell); the sender
// behind it is safe to share with its own thread.
class ViolationLog {
 public:
  // How long the end of a session waits for the daemon to take what is queued.
  static constexpr std::chrono::seconds kExitWait{2};

  // Records go to /dev/log.
  ViolationLog(const policy::Session& session, std::string user, std::string session_id,
               std::string policy_file);
  // Records go to `sink` (tests), through a queue of at most `max_queued` records.
  ViolationLog(const policy::Session& session, std::string user, std::string session_id,
               std::string policy_file, std::unique_ptr<DatagramSink> sink,
               std::size_t max_queued = SyslogSender::kMaxRecords);
  // Writes the end record if no event "end" was (with the totals), waits at most kExitWait
  // for the daemon, and if records are still undelivered then says so on stderr: the last
  // trace left when syslog is down.
  ~ViolationLog();
  ViolationLog(const ViolationLog&) = delete;
  ViolationLog& operator=(const ViolationLog&) = delete;

  void record(const Violation& v);
  // A session record outside the rate limit: "session user=... session=... event=start ...",
  // then `fields` in order, each value escaped like any other. "end" and "refused" end the
  // session's log: what the rate limit holds is summarised first, the record carries the
  // totals (violations, suppressed, and when sent: sent, undelivered), and the call waits
  // at most kExitWait for the daemon to take it.
  void event(const std::string& event,
             const std::vector<std::pair<std::string, std::string>>& fields = {});
  // Denials and kills so far (audit records do not count): the shell's warning_limit.
  unsigned violations() const { return violations_; }
  [[nodiscard]] LogTotals totals() const;
  // Waits at most `wait` for every queued record to reach the daemon; true if they did.
  bool flush(std::chrono::milliseconds wait);
  // The text of the last record, for a message on the user's terminal.
  static std::string format(const Violation& v, const std::string& user,
                            const std::string& session_id, const std::string& policy_file,
                            policy::Mode mode);

 private:
  void summarise(const std::vector<Suppressed>& held);
  void end_record(const std::string& event,
                  const std::vector<std::pair<std::string, std::string>>& fields);

  const policy::Session& session_;
  std::string user_, session_id_, policy_file_;
  unsigned violations_ = 0;
  RateLimiter limiter_;
  std::unique_ptr<SyslogSender> sender_;
  bool ended_ = false;
  SyslogSender::Clock::time_point exit_deadline_{};
  pid_t owner_;  // a forked child's copy writes nothing, not even the end record
};

// The record of a session refused before any policy (and so any logging setting) is known:
// ident stsh, facility authpriv, sent at once without a queue, waiting at most 1 s.
void log_refused_session(const std::string& user, const std::string& reason);

}  // namespace stsh::enforcer
