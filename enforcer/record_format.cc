#include "enforcer/record_format.h"

namespace stsh::enforcer {
namespace {

bool plain_byte(unsigned char c) {
  return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '=';
}

bool key_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

// The length of the valid UTF-8 sequence at s[i] (2 to 4), or 0 when it is not one: overlong
// forms, surrogates and code points past U+10FFFF are not valid.
std::size_t utf8_length(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  std::size_t n = 0;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2, cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3, cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3f);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

// Valid, but a terminal or viewer would use them to hide or reorder text, or break a line.
bool deceptive(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

void hex_byte(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string escape_value(std::string_view value) {
  bool plain = !value.empty();
  for (char c : value) plain = plain && plain_byte(static_cast<unsigned char>(c));
  if (plain) return std::string(value);
  std::string out = "\"";
  for (std::size_t i = 0; i < value.size();) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {
      char32_t cp = 0;
      const std::size_t n = utf8_length(value, i, cp);
      if (n == 0) {
        hex_byte(out, c);
        ++i;
        continue;
      }
      for (std::size_t k = 0; k < n; ++k) {
        if (deceptive(cp)) {
          hex_byte(out, static_cast<unsigned char>(value[i + k]));
        } else {
          out += value[i + k];
        }
      }
      i += n;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          hex_byte(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + '"';
}

RecordBuilder::RecordBuilder(std::string_view type, std::size_t max_value)
    : out_(type), max_value_(max_value) {}

RecordBuilder& RecordBuilder::add(std::string_view key, std::string_view value) {
  std::string k;
  for (char c : key) k += key_byte(static_cast<unsigned char>(c)) ? c : '_';
  if (k.empty()) k = "_";
  if (value.size() > max_value_) {
    value = value.substr(0, max_value_);
    truncated_ += (truncated_.empty() ? "" : ",") + k;
  }
  out_ += ' ';
  out_ += k;
  out_ += '=';
  out_ += escape_value(value);
  return *this;
}

RecordBuilder& RecordBuilder::add(std::string_view key, std::uint64_t value) {
  return add(key, std::to_string(value));
}

std::string RecordBuilder::text() const {
  if (truncated_.empty()) return out_;
  return out_ + " truncated=" + escape_value(truncated_);
}

const std::string* Record::get(std::string_view key) const {
  for (const auto& [k, v] : fields) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<Record> parse_record(std::string_view line) {
  Record r;
  std::size_t i = 0;
  auto fail = [&](const std::string& what) {
    return make_error("record, byte " + std::to_string(i + 1) + ": " + what);
  };
  while (i < line.size() && line[i] != ' ') {
    if (!key_byte(static_cast<unsigned char>(line[i]))) return fail("bad byte in the record type");
    r.type += line[i++];
  }
  if (r.type.empty()) return fail("no record type");
  while (i < line.size()) {
    if (line[i++] != ' ') return fail("expected a space");
    std::string key;
    while (i < line.size() && key_byte(static_cast<unsigned char>(line[i]))) key += line[i++];
    if (key.empty()) return fail("expected a key");
    if (i >= line.size() || line[i] != '=') return fail("expected '=' after '" + key + "'");
    ++i;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) return fail("unterminated quoted value of '" + key + "'");
        const auto c = static_cast<unsigned char>(line[i]);
        if (c == '"') break;
        if (c < 0x20 || c == 0x7f) return fail("raw control byte in the value of '" + key + "'");
        if (c != '\\') {
          value += line[i++];
          continue;
        }
        if (i + 1 >= line.size()) return fail("a backslash ends the value of '" + key + "'");
        const char e = line[i + 1];
        i += 2;
        switch (e) {
          case '"':
            value += '"';
            break;
          case '\\':
            value += '\\';
            break;
          case 'n':
            value += '\n';
            break;
          case 'r':
            value += '\r';
            break;
          case 't':
            value += '\t';
            break;
          case 'x': {
            const int hi = i + 1 < line.size() ? hex_digit(line[i]) : -1;
            const int lo = hi >= 0 ? hex_digit(line[i + 1]) : -1;
            if (lo < 0) return fail("bad \\x escape in the value of '" + key + "'");
            value += static_cast<char>(hi * 16 + lo);
            i += 2;
            break;
          }
          default:
            i -= 2;
            return fail(std::string("unknown escape \\") + e + " in the value of '" + key + "'");
        }
      }
      ++i;  // the closing quote
    } else {
      while (i < line.size() && line[i] != ' ') {
        if (!plain_byte(static_cast<unsigned char>(line[i])))
          return fail("bad byte in the plain value of '" + key + "'");
        value += line[i++];
      }
      if (value.empty()) return fail("empty plain value of '" + key + "'");
    }
    r.fields.emplace_back(std::move(key), std::move(value));
  }
  return r;
}

}  // namespace stsh::enforcer
