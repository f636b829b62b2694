#include "enforcer/violation_log.h"

#include <errno.h>
#include <sys/random.h>
#include <syslog.h>
#include <unistd.h>

#include "enforcer/record_format.h"
#include "policy/syscalls.h"

namespace stsh::enforcer {
namespace {

// rsyslogd's default maxMessageSize is 8 KiB: a longer datagram is cut, and a cut record
// does not parse. Values are cut further (and named in truncated=) until the record fits.
constexpr std::size_t kMaxRecordBytes = 7900;

std::string action_text(const policy::Decision& d, bool audit) {
  if (audit)
    return "audit-" + policy::describe(policy::Decision{d.verdict, d.error, false, d.rule});
  return policy::describe(policy::Decision{d.verdict, d.error, false, d.rule});
}

RateKey rate_key(const Violation& v) {
  RateKey k;
  k.exe = v.exe;
  k.syscall = std::string(policy::syscall_name(v.call.syscall));
  if (v.call.filename) {
    k.target_field = "path";
    k.target = *v.call.filename;
    k.target1 = v.call.filename1.value_or("");
  } else if (v.call.sockaddr) {
    k.target_field = "sockaddr";
    k.target = *v.call.sockaddr;
  }
  k.action = action_text(v.decision, v.audit);
  return k;
}

std::string rate_text(const policy::Session& s) {
  return std::to_string(s.logging.burst) + "/" + std::to_string(s.logging.interval_s) + "s";
}

std::unique_ptr<SyslogSender> make_sender(const policy::Session& session, const std::string& user,
                                          const std::string& session_id,
                                          std::unique_ptr<DatagramSink> sink,
                                          std::size_t max_queued) {
  auto loss = [user, session_id](std::uint64_t count, std::uint64_t violations) {
    return RecordBuilder("undelivered")
        .add("user", user)
        .add("session", session_id)
        .add("count", count)
        .add("violations", violations)
        .add("message", std::to_string(count) + " records could not be delivered")
        .text();
  };
  return std::make_unique<SyslogSender>(std::move(sink), session.logging.ident,
                                        session.logging.facility, loss, max_queued);
}

}  // namespace

std::string new_session_id() {
  unsigned char bytes[6] = {};
  if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) {
    return std::to_string(getpid());
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) out += {hex[b >> 4], hex[b & 15]};
  return out;
}

ViolationLog::ViolationLog(const policy::Session& session, std::string user, std::string session_id,
                           std::string policy_file)
    : ViolationLog(session, std::move(user), std::move(session_id), std::move(policy_file),
                   std::make_unique<UnixDatagramSink>()) {}

ViolationLog::ViolationLog(const policy::Session& session, std::string user, std::string session_id,
                           std::string policy_file, std::unique_ptr<DatagramSink> sink,
                           std::size_t max_queued)
    : session_(session),
      user_(std::move(user)),
      session_id_(std::move(session_id)),
      policy_file_(std::move(policy_file)),
      limiter_(session.logging.burst, std::chrono::seconds(session.logging.interval_s)),
      sender_(make_sender(session, user_, session_id_, std::move(sink), max_queued)),
      owner_(getpid()) {}

ViolationLog::~ViolationLog() {
  if (getpid() != owner_) return;  // the sender leaves its copy alone too
  if (!ended_) end_record("end", {});
  const SenderStats s = sender_->close(exit_deadline_);
  if (s.unreported > 0) {
    const std::string msg = std::string(program_invocation_short_name) + ": " +
                            std::to_string(s.undelivered) + " log records (" +
                            std::to_string(s.undelivered_violations) +
                            " violations) could not be delivered to syslog\n";
    (void)!write(STDERR_FILENO, msg.data(), msg.size());
  }
}

std::string ViolationLog::format(const Violation& v, const std::string& user,
                                 const std::string& session_id, const std::string& policy_file,
                                 policy::Mode mode) {
  std::string argv;
  for (const auto& a : v.call.argv) argv += (argv.empty() ? "" : " ") + a;
  std::string out;
  for (std::size_t cap : {kMaxValueBytes, kMaxValueBytes / 4, kMaxValueBytes / 16}) {
    RecordBuilder b("violation", cap);
    b.add("user", user)
        .add("session", session_id)
        .add("pid", std::to_string(v.pid))
        .add("ppid", std::to_string(v.ppid))
        .add("exe", v.exe)
        .add("policy", policy_file)
        .add("entry", v.command_entry)
        .add("syscall", policy::syscall_name(v.call.syscall));
    if (v.call.filename) b.add("path", *v.call.filename);
    if (v.call.filename1) b.add("path1", *v.call.filename1);
    if (!v.call.argv.empty()) b.add("argv", argv);
    if (v.call.sockaddr) b.add("sockaddr", *v.call.sockaddr);
    b.add("rule", v.decision.rule)
        .add("action", action_text(v.decision, v.audit))
        .add("mode", policy::mode_name(v.audit ? policy::Mode::audit : mode));
    // Last, so that readers matching "... rule=X action=Y mode=Z" are not disturbed:
    // whether an open read or wrote is what stsh-policy learn needs to pick the list.
    if (v.call.oflags) b.add("oflags", policy::format_oflags(*v.call.oflags));
    out = b.text();
    if (out.size() <= kMaxRecordBytes) break;
  }
  return out;
}

void ViolationLog::summarise(const std::vector<Suppressed>& held) {
  for (const Suppressed& s : held) {
    RecordBuilder b("suppressed");
    b.add("user", user_).add("session", session_id_);
    if (s.key.exe.empty() && s.key.syscall.empty()) {
      b.add("keys", s.keys);  // the aggregate of keys not named one by one
    } else {
      b.add("exe", s.key.exe).add("syscall", s.key.syscall);
      if (!s.key.target_field.empty()) b.add(s.key.target_field, s.key.target);
      if (!s.key.target1.empty()) b.add("path1", s.key.target1);
      b.add("action", s.key.action);
    }
    b.add("count", s.count).add("rate_limit", rate_text(session_));
    sender_->submit(LOG_WARNING, b.text());
  }
}

void ViolationLog::end_record(const std::string& event,
                              const std::vector<std::pair<std::string, std::string>>& fields) {
  summarise(limiter_.take());
  RecordBuilder b("session");
  b.add("user", user_).add("session", session_id_).add("event", event);
  bool has_violations = false;
  for (const auto& [key, value] : fields) {
    b.add(key, value);
    has_violations = has_violations || key == "violations";
  }
  if (!has_violations) b.add("violations", violations_);
  b.add("suppressed", limiter_.suppressed_total());
  // sent= and undelivered= are appended by the sender when it sends the record: only then
  // is every record before it sent or given up.
  sender_->submit(LOG_NOTICE, b.text(), RecordKind::end);
  ended_ = true;
  exit_deadline_ = SyslogSender::Clock::now() + kExitWait;
  sender_->flush(exit_deadline_);
}

void ViolationLog::event(const std::string& event,
                         const std::vector<std::pair<std::string, std::string>>& fields) {
  if (event == "end" || event == "refused") return end_record(event, fields);
  RecordBuilder b("session");
  b.add("user", user_).add("session", session_id_).add("event", event);
  for (const auto& [key, value] : fields) b.add(key, value);
  sender_->submit(LOG_NOTICE, b.text());
}

void ViolationLog::record(const Violation& v) {
  if (!v.audit && !v.decision.permitted()) ++violations_;
  summarise(limiter_.roll(std::chrono::steady_clock::now()));
  if (!limiter_.admit(rate_key(v))) return;
  sender_->submit(v.audit ? LOG_NOTICE : LOG_WARNING,
                  format(v, user_, session_id_, policy_file_, session_.mode),
                  RecordKind::violation);
}

LogTotals ViolationLog::totals() const {
  const SenderStats s = sender_->stats();
  return LogTotals{
      violations_, s.sent, limiter_.suppressed_total(), s.undelivered, s.undelivered_violations,
      s.queued};
}

bool ViolationLog::flush(std::chrono::milliseconds wait) {
  return sender_->flush(SyslogSender::Clock::now() + wait);
}

void log_refused_session(const std::string& user, const std::string& reason) {
  const std::string text = RecordBuilder("session")
                               .add("user", user)
                               .add("event", "refused")
                               .add("reason", reason)
                               .text();
  (void)send_record_now("stsh", LOG_AUTHPRIV, LOG_ERR, text, std::chrono::seconds(1));
}

}  // namespace stsh::enforcer
