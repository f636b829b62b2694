#include "policy/records_in.h"

#include <cctype>
#include <cstdint>
#include <ctime>
#include <optional>

#include "policy/tool_text.h"

namespace stsh::policy {
namespace {

constexpr size_t kSamples = 5;

bool is_ident(std::string_view tag, const std::vector<std::string>& idents) {
  if (idents.empty()) return tag == "stsh" || tag.starts_with("stsh-");
  for (const auto& i : idents)
    if (tag == i) return true;
  return false;
}

bool known_type(const std::string& t) {
  return t == "violation" || t == "suppressed" || t == "session" || t == "undelivered";
}

void take(RecordInput& in, std::string_view message, std::string time, size_t line) {
  auto r = enforcer::parse_record(message);
  std::string why;
  if (!r) {
    why = r.error().message;
  } else if (!known_type(r->type)) {
    why = "unknown record type '" + tools::printable(r->type) + "'";
  } else {
    in.records.push_back({std::move(*r), std::move(time), line});
    return;
  }
  ++in.garbage;
  if (in.garbage_samples.size() < kSamples)
    in.garbage_samples.push_back("line " + std::to_string(line) + ": " + tools::printable(why));
}

std::string utc(std::string_view micros) {
  std::uint64_t us = 0;
  for (char c : micros) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::string(micros);
    us = us * 10 + static_cast<unsigned>(c - '0');
  }
  const std::time_t t = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// ---- syslog lines ------------------------------------------------------------------------

void syslog_line(RecordInput& in, std::string_view l, size_t n,
                 const std::vector<std::string>& idents) {
  // stsh-run --records and other bare copies: the record alone.
  for (std::string_view type : {"violation ", "suppressed ", "session ", "undelivered "}) {
    if (l.starts_with(type)) return take(in, l, "", n);
  }
  size_t i = 0;
  std::string time;
  if (l.size() >= 4 && std::isdigit(static_cast<unsigned char>(l[0])) &&
      std::isdigit(static_cast<unsigned char>(l[3]))) {
    i = l.find(' ');  // RFC 3339 stamp
  } else if (l.size() > 16 && l[15] == ' ') {
    i = 15;  // "Mmm dd hh:mm:ss"
  } else {
    i = std::string_view::npos;
  }
  if (i == std::string_view::npos) {
    ++in.other;
    return;
  }
  time = std::string(l.substr(0, i));
  const size_t host_end = l.find(' ', i + 1);
  if (host_end == std::string_view::npos) {
    ++in.other;
    return;
  }
  size_t tag_end = host_end + 1;
  while (tag_end < l.size() && l[tag_end] != '[' && l[tag_end] != ':' && l[tag_end] != ' ')
    ++tag_end;
  const std::string_view tag = l.substr(host_end + 1, tag_end - host_end - 1);
  if (!is_ident(tag, idents)) {
    ++in.other;
    return;
  }
  size_t j = tag_end;
  if (j < l.size() && l[j] == '[') {
    j = l.find(']', j);
    if (j == std::string_view::npos) j = l.size();
    else ++j;
  }
  if (!l.substr(j).starts_with(": ")) return take(in, "", time, n);
  take(in, l.substr(j + 2), std::move(time), n);
}

// ---- journalctl -o export ----------------------------------------------------------------

void journal_export(RecordInput& in, std::string_view d, const std::vector<std::string>& idents) {
  size_t i = 0, entry = 0;
  while (i < d.size()) {
    ++entry;
    std::string message, ident, when;
    bool have_message = false;
    while (i < d.size() && d[i] != '\n') {
      const size_t eol = d.find('\n', i);
      const std::string_view line = d.substr(i, (eol == std::string_view::npos ? d.size() : eol) - i);
      const size_t eq = line.find('=');
      std::string key;
      std::string value;
      if (eq != std::string_view::npos) {
        key = std::string(line.substr(0, eq));
        value = std::string(line.substr(eq + 1));
        i = eol == std::string_view::npos ? d.size() : eol + 1;
      } else {
        // A binary field: KEY\n, a 64-bit little-endian length, the data, \n.
        key = std::string(line);
        const size_t start = (eol == std::string_view::npos ? d.size() : eol + 1);
        if (start + 8 > d.size()) {
          i = d.size();
          break;
        }
        std::uint64_t len = 0;
        for (int k = 7; k >= 0; --k) len = (len << 8) | static_cast<unsigned char>(d[start + k]);
        if (len > d.size() - start - 8) {
          i = d.size();
          break;
        }
        value = std::string(d.substr(start + 8, len));
        i = start + 8 + len;
        if (i < d.size() && d[i] == '\n') ++i;
      }
      if (key == "MESSAGE") message = value, have_message = true;
      else if (key == "SYSLOG_IDENTIFIER") ident = value;
      else if (key == "__REALTIME_TIMESTAMP") when = utc(value);
    }
    while (i < d.size() && d[i] == '\n') ++i;
    ++in.lines;
    if (!have_message || !is_ident(ident, idents)) {
      ++in.other;
      continue;
    }
    take(in, message, when, entry);
  }
}

// ---- journalctl -o json: one flat object per line ------------------------------------------

struct Json {
  std::string_view s;
  size_t i = 0;
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
  }
  static void utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  std::optional<std::uint32_t> hex4() {
    if (i + 4 > s.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s[i++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else return std::nullopt;
    }
    return v;
  }
  std::optional<std::string> string() {
    if (i >= s.size() || s[i] != '"') return std::nullopt;
    ++i;
    std::string out;
    while (i < s.size() && s[i] != '"') {
      if (s[i] != '\\') {
        out += s[i++];
        continue;
      }
      if (++i >= s.size()) return std::nullopt;
      const char e = s[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          auto cp = hex4();
          if (!cp) return std::nullopt;
          if (*cp >= 0xd800 && *cp < 0xdc00 && s.substr(i).starts_with("\\u")) {
            i += 2;
            auto lo = hex4();
            if (!lo || *lo < 0xdc00 || *lo > 0xdfff) return std::nullopt;
            *cp = 0x10000 + ((*cp - 0xd800) << 10) + (*lo - 0xdc00);
          }
          utf8(out, *cp);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    if (i >= s.size()) return std::nullopt;
    ++i;
    return out;
  }
  // A value: a string, an array of byte values (journald's form of a binary field), or
  // anything else skipped. `out` set only for the first two.
  bool value(std::optional<std::string>& out) {
    ws();
    if (i < s.size() && s[i] == '"') {
      out = string();
      return out.has_value();
    }
    if (i < s.size() && s[i] == '[') {
      ++i;
      std::string bytes;
      for (;;) {
        ws();
        if (i < s.size() && s[i] == ']') break;
        unsigned v = 0;
        size_t digits = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && digits < 4)
          v = v * 10 + static_cast<unsigned>(s[i++] - '0'), ++digits;
        if (digits == 0 || v > 255) return false;
        bytes += static_cast<char>(v);
        ws();
        if (i < s.size() && s[i] == ',') ++i;
      }
      ++i;
      out = bytes;
      return true;
    }
    while (i < s.size() && s[i] != ',' && s[i] != '}') ++i;  // number, null, true, false
    return true;
  }
};

void journal_json_line(RecordInput& in, std::string_view l, size_t n,
                       const std::vector<std::string>& idents) {
  Json j{l};
  j.ws();
  std::optional<std::string> message, ident, when;
  bool ok = j.i < l.size() && l[j.i] == '{';
  if (ok) ++j.i;
  while (ok) {
    j.ws();
    if (j.i < l.size() && l[j.i] == '}') break;
    auto key = j.string();
    j.ws();
    if (!key || j.i >= l.size() || l[j.i] != ':') {
      ok = false;
      break;
    }
    ++j.i;
    std::optional<std::string> v;
    if (!j.value(v)) {
      ok = false;
      break;
    }
    if (*key == "MESSAGE") message = v;
    else if (*key == "SYSLOG_IDENTIFIER") ident = v;
    else if (*key == "__REALTIME_TIMESTAMP" && v) when = utc(*v);
    j.ws();
    if (j.i < l.size() && l[j.i] == ',') ++j.i;
  }
  if (!ok) {
    ++in.garbage;
    if (in.garbage_samples.size() < kSamples)
      in.garbage_samples.push_back("line " + std::to_string(n) + ": not a JSON object");
    return;
  }
  if (!message || !ident || !is_ident(*ident, idents)) {
    ++in.other;
    return;
  }
  take(in, *message, when.value_or(""), n);
}

}  // namespace

RecordInput read_records(std::string_view data, const std::vector<std::string>& idents) {
  RecordInput in;
  size_t first = data.find_first_not_of(" \t\r\n");
  const std::string_view head = first == std::string_view::npos ? "" : data.substr(first);
  if (head.starts_with("__CURSOR=") || head.starts_with("__REALTIME_TIMESTAMP=")) {
    in.format = "journal export";
    journal_export(in, data, idents);
    return in;
  }
  in.format = head.starts_with("{") ? "journal json" : "syslog";
  size_t n = 0;
  for (size_t pos = 0; pos < data.size();) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    ++n;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++in.lines;
    if (in.format == "journal json") journal_json_line(in, line, n, idents);
    else syslog_line(in, line, n, idents);
  }
  return in;
}

}  // namespace stsh::policy
