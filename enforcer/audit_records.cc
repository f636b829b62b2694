#include "enforcer/audit_records.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace stsh::enforcer::audit {
namespace {

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
bool is_graph(char c) {
  return c >= 0x21 && c <= 0x7e;
}
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // the kernel writes upper case only
}

template <typename T>
bool parse_number(std::string_view s, T* out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// A value of an untrusted key written unquoted: hex of the bytes, or one of the kernel's words
// for "nothing here": "(null)", "?", "<too_long>", "<no_memory>".
Result<std::string> decode_unquoted_untrusted(std::string_view v) {
  if (v == "(null)" || v == "?" || v == "<too_long>" || v == "<no_memory>") return std::string(v);
  if (v.size() % 2 != 0) return make_error("odd-length hex value");
  std::string out;
  out.reserve(v.size() / 2);
  for (std::size_t i = 0; i < v.size(); i += 2) {
    const int hi = hex_digit(v[i]);
    const int lo = hex_digit(v[i + 1]);
    if (hi < 0 || lo < 0) return make_error("not a hex value");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

Error field_error(std::string_view what, std::string_view key) {
  return make_error(std::string(what) + " '" + std::string(key) + "'");
}

}  // namespace

const std::string* AuditRecord::get(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

bool is_untrusted_key(std::string_view key) {
  static constexpr std::array<std::string_view, 9> kUntrustedKeys = {
      "path", "dev", "exe", "comm", "ocomm", "name", "cwd", "proctitle", "key"};
  return std::find(kUntrustedKeys.begin(), kUntrustedKeys.end(), key) != kUntrustedKeys.end();
}

Result<Stamp> parse_stamp(std::string_view text, std::string_view* rest) {
  constexpr std::string_view kOpen = "audit(";
  if (text.substr(0, kOpen.size()) != kOpen) return make_error("record does not start with audit(");
  text.remove_prefix(kOpen.size());
  const auto close = text.find("):");
  if (close == std::string_view::npos || close > 48) return make_error("no end of the stamp");
  const std::string_view inner = text.substr(0, close);
  const auto dot = inner.find('.');
  const auto colon = inner.find(':');
  if (dot == std::string_view::npos || colon == std::string_view::npos || colon < dot)
    return make_error("malformed stamp");
  Stamp s;
  if (!parse_number(inner.substr(0, dot), &s.seconds) ||
      !parse_number(inner.substr(dot + 1, colon - dot - 1), &s.millis) ||
      !parse_number(inner.substr(colon + 1), &s.serial) || s.millis > 999)
    return make_error("malformed stamp");
  text.remove_prefix(close + 2);
  // An empty body is allowed; otherwise one space separates the stamp from the first field.
  if (!text.empty()) {
    if (text[0] != ' ') return make_error("no space after the stamp");
    text.remove_prefix(1);
  }
  *rest = text;
  return s;
}

Result<AuditRecord> parse_record(int type, std::string_view text) {
  // The kernel may leave a NUL or a newline at the end of the payload.
  while (!text.empty() && (text.back() == '\0' || text.back() == '\n')) text.remove_suffix(1);
  std::string_view body;
  auto stamp = parse_stamp(text, &body);
  if (!stamp) return stamp.take_error();
  AuditRecord rec;
  rec.type = type;
  rec.stamp = *stamp;
  while (!body.empty()) {
    std::size_t k = 0;
    while (k < body.size() && is_key_char(body[k])) ++k;
    if (k == 0 || k >= body.size() || body[k] != '=') return make_error("malformed key");
    const std::string_view key = body.substr(0, k);
    body.remove_prefix(k + 1);
    std::string value;
    if (!body.empty() && body[0] == '"') {
      const auto end = body.find('"', 1);
      if (end == std::string_view::npos) return field_error("unterminated quoted value of", key);
      const std::string_view raw = body.substr(1, end - 1);
      if (!std::all_of(raw.begin(), raw.end(), is_graph))
        return field_error("unprintable byte in the quoted value of", key);
      value.assign(raw);
      body.remove_prefix(end + 1);
    } else {
      std::size_t e = 0;
      while (e < body.size() && body[e] != ' ') ++e;
      const std::string_view raw = body.substr(0, e);
      if (raw.empty()) return field_error("empty value of", key);
      for (char c : raw)
        if (!is_graph(c) || c == '"') return field_error("unexpected byte in the value of", key);
      if (is_untrusted_key(key)) {
        auto decoded = decode_unquoted_untrusted(raw);
        if (!decoded) return field_error(decoded.error().message + " for", key);
        value = std::move(*decoded);
      } else {
        value.assign(raw);
      }
      body.remove_prefix(e);
    }
    if (!body.empty()) {
      if (body[0] != ' ' || body.size() == 1) return field_error("no single space after", key);
      body.remove_prefix(1);
    }
    if (rec.get(key) != nullptr) return field_error("repeated key", key);
    rec.fields.emplace_back(std::string(key), std::move(value));
  }
  return rec;
}

Result<LandlockAccess> to_landlock_access(const AuditRecord& record) {
  const std::string* domain = record.get("domain");
  const std::string* blockers = record.get("blockers");
  if (domain == nullptr || blockers == nullptr || domain->empty() || blockers->empty())
    return make_error("LANDLOCK_ACCESS without domain or blockers");
  LandlockAccess a;
  a.domain = *domain;
  a.blockers = *blockers;
  for (const auto& [k, v] : record.fields)
    if (k != "domain" && k != "blockers") a.object.emplace_back(k, v);
  return a;
}

Result<LandlockDomain> to_landlock_domain(const AuditRecord& record) {
  const std::string* domain = record.get("domain");
  const std::string* status = record.get("status");
  if (domain == nullptr || status == nullptr) return make_error("LANDLOCK_DOMAIN without domain");
  LandlockDomain d;
  d.domain = *domain;
  d.status = *status;
  if (d.status == "allocated") {
    const std::string* pid = record.get("pid");
    const std::string* uid = record.get("uid");
    const std::string* exe = record.get("exe");
    pid_t p = 0;
    uid_t u = 0;
    if (pid == nullptr || uid == nullptr || !parse_number(*pid, &p) || !parse_number(*uid, &u) ||
        p <= 0)
      return make_error("LANDLOCK_DOMAIN allocated without a creator pid and uid");
    d.pid = p;
    d.uid = u;
    if (exe != nullptr) d.exe = *exe;
  }
  return d;
}

Result<SyscallInfo> to_syscall(const AuditRecord& record) {
  SyscallInfo s;
  if (const std::string* pid = record.get("pid")) {
    pid_t p = 0;
    if (!parse_number(*pid, &p) || p <= 0) return make_error("SYSCALL with a malformed pid");
    s.pid = p;
  }
  if (const std::string* nr = record.get("syscall")) {
    long n = 0;
    if (!parse_number(*nr, &n)) return make_error("SYSCALL with a malformed syscall number");
    s.syscall = n;
  }
  if (const std::string* exit = record.get("exit")) s.exit = *exit;
  if (const std::string* exe = record.get("exe")) s.exe = *exe;
  return s;
}

void EventAssembler::end(std::map<std::uint64_t, Open>::iterator it,
                         std::vector<LandlockEvent>* done) {
  done->push_back(std::move(it->second.event));
  open_.erase(it);
}

void EventAssembler::feed(const AuditRecord& record, Clock::time_point now,
                          std::vector<LandlockEvent>* done) {
  const std::uint64_t serial = record.stamp.serial;
  auto it = open_.find(serial);
  switch (record.type) {
    case kTypeLandlockAccess:
    case kTypeLandlockDomain: {
      if (it == open_.end()) {
        if (open_.size() >= max_pending_) end(open_.begin(), done);
        Open o;
        o.event.stamp = record.stamp;
        o.started = now;
        it = open_.emplace(serial, std::move(o)).first;
      }
      if (record.type == kTypeLandlockAccess) {
        auto a = to_landlock_access(record);
        if (a) {
          it->second.event.accesses.push_back(std::move(*a));
        } else {
          ++malformed_;
        }
      } else {
        auto d = to_landlock_domain(record);
        if (!d) {
          ++malformed_;
        } else if (d->status == "deallocated") {
          // An event of its own: nothing follows it.
          it->second.event.domains.push_back(std::move(*d));
          end(it, done);
        } else {
          it->second.event.domains.push_back(std::move(*d));
        }
      }
      return;
    }
    case kTypeSyscall: {
      if (it == open_.end()) return;
      auto s = to_syscall(record);
      if (s) {
        it->second.event.syscall = std::move(*s);
      } else {
        ++malformed_;
      }
      return;
    }
    case kTypeEoe:
      if (it == open_.end()) return;
      it->second.event.complete = true;
      end(it, done);
      return;
    default:
      return;
  }
}

void EventAssembler::expire(Clock::time_point now, std::vector<LandlockEvent>* done) {
  // Serials grow with time, but an event's records can wait for its call's exit, so the map is
  // scanned rather than cut at the first young one. The scan is bounded by max_pending.
  for (auto it = open_.begin(); it != open_.end();) {
    auto next = std::next(it);
    if (now - it->second.started >= timeout_) end(it, done);
    it = next;
  }
}

void EventAssembler::flush(std::vector<LandlockEvent>* done) {
  while (!open_.empty()) end(open_.begin(), done);
}

void EventAssembler::flush_if(const std::function<bool(const LandlockEvent&)>& pred,
                              std::vector<LandlockEvent>* done) {
  for (auto it = open_.begin(); it != open_.end();) {
    auto next = std::next(it);
    if (pred(it->second.event)) end(it, done);
    it = next;
  }
}

}  // namespace stsh::enforcer::audit
