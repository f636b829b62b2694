// One syslog record per violation, key=value fields, rate-limited per the Plan's session
// settings. Logging never blocks enforcement: syslog(3) drops what the daemon will not take.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

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

class ViolationLog {
 public:
  ViolationLog(const policy::Session& session, std::string user, std::string session_id,
               std::string policy_file);
  ~ViolationLog();
  ViolationLog(const ViolationLog&) = delete;
  ViolationLog& operator=(const ViolationLog&) = delete;

  void record(const Violation& v);
  // A session record outside the rate limit: "session user=... session=... event=start ...".
  // `fields` are key=value pairs appended as they are (the caller quotes what needs it).
  void event(const std::string& event,
             const std::vector<std::pair<std::string, std::string>>& fields = {});
  // Denials and kills so far (audit records do not count): the shell's warning_limit.
  unsigned violations() const { return violations_; }
  // The text of the last record, for a message on the user's terminal.
  static std::string format(const Violation& v, const std::string& user,
                            const std::string& session_id, const std::string& policy_file,
                            policy::Mode mode);

 private:
  const policy::Session& session_;
  std::string user_, session_id_, policy_file_;
  unsigned violations_ = 0;
  // Rate limit: at most burst records per interval; the rest are counted and reported.
  std::chrono::steady_clock::time_point window_start_{};
  unsigned in_window_ = 0;
  unsigned suppressed_ = 0;
};

}  // namespace stsh::enforcer
