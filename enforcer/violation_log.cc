#include "enforcer/violation_log.h"

#include <sys/random.h>
#include <syslog.h>
#include <unistd.h>

#include "policy/syscalls.h"

namespace stsh::enforcer {
namespace {

// Values are quoted when they contain spaces or quotes, so records stay one parseable line.
std::string field(const char* key, const std::string& value) {
  const bool plain = !value.empty() && value.find_first_of(" \"=\\") == std::string::npos;
  std::string out = std::string(" ") + key + "=";
  if (plain) return out + value;
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
  }
  return out + '"';
}

std::string action_text(const policy::Decision& d, bool audit) {
  if (audit)
    return "audit-" + policy::describe(policy::Decision{d.verdict, d.error, false, d.rule});
  return policy::describe(policy::Decision{d.verdict, d.error, false, d.rule});
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
    : session_(session),
      user_(std::move(user)),
      session_id_(std::move(session_id)),
      policy_file_(std::move(policy_file)) {
  openlog(session_.logging.ident.c_str(), LOG_PID | LOG_NDELAY, session_.logging.facility);
}

ViolationLog::~ViolationLog() {
  if (suppressed_ > 0) {
    syslog(LOG_WARNING, "suppressed user=%s session=%s count=%u", user_.c_str(),
           session_id_.c_str(), suppressed_);
  }
  closelog();
}

std::string ViolationLog::format(const Violation& v, const std::string& user,
                                 const std::string& session_id, const std::string& policy_file,
                                 policy::Mode mode) {
  std::string out = "violation";
  out += field("user", user);
  out += field("session", session_id);
  out += field("pid", std::to_string(v.pid));
  out += field("ppid", std::to_string(v.ppid));
  out += field("exe", v.exe);
  out += field("policy", policy_file);
  out += field("entry", v.command_entry);
  out += field("syscall", policy::syscall_name(v.call.syscall));
  if (v.call.filename) out += field("path", *v.call.filename);
  if (v.call.filename1) out += field("path1", *v.call.filename1);
  if (!v.call.argv.empty()) {
    std::string argv;
    for (const auto& a : v.call.argv) argv += (argv.empty() ? "" : " ") + a;
    out += field("argv", argv);
  }
  if (v.call.sockaddr) out += field("sockaddr", *v.call.sockaddr);
  out += field("rule", std::string(v.decision.rule));
  out += field("action", action_text(v.decision, v.audit));
  out += field("mode", std::string(policy::mode_name(v.audit ? policy::Mode::audit : mode)));
  return out;
}

void ViolationLog::event(const std::string& event,
                         const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out = "session";
  out += field("user", user_);
  out += field("session", session_id_);
  out += field("event", event);
  for (const auto& [key, value] : fields) out += field(key.c_str(), value);
  syslog(LOG_NOTICE, "%s", out.c_str());
}

void ViolationLog::record(const Violation& v) {
  if (!v.audit && !v.decision.permitted()) ++violations_;
  const auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= std::chrono::seconds(session_.logging.interval_s)) {
    if (suppressed_ > 0) {
      syslog(LOG_WARNING, "suppressed user=%s session=%s count=%u (rate limit %u per %llus)",
             user_.c_str(), session_id_.c_str(), suppressed_, session_.logging.burst,
             static_cast<unsigned long long>(session_.logging.interval_s));
    }
    window_start_ = now;
    in_window_ = 0;
    suppressed_ = 0;
  }
  if (in_window_ >= session_.logging.burst) {
    ++suppressed_;
    return;
  }
  ++in_window_;
  const std::string text = format(v, user_, session_id_, policy_file_, session_.mode);
  syslog(v.audit ? LOG_NOTICE : LOG_WARNING, "%s", text.c_str());
}

}  // namespace stsh::enforcer
