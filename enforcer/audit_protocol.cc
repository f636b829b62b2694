#include "enforcer/audit_protocol.h"

#include <charconv>

namespace stsh::enforcer::audit_wire {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool plain(unsigned char c) {
  return c >= 0x21 && c <= 0x7e && c != '%' && c != '=';
}

}  // namespace

std::string percent_encode(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (plain(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    const auto c = static_cast<unsigned char>(encoded[i]);
    if (c == '%') {
      if (i + 2 >= encoded.size()) return make_error("truncated %XX");
      const int hi = hex_value(encoded[i + 1]);
      const int lo = hex_value(encoded[i + 2]);
      if (hi < 0 || lo < 0) return make_error("bad %XX");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (plain(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      return make_error("unencoded byte in a value");
    }
  }
  return out;
}

Message& Message::add(std::string key, std::string value) {
  fields.emplace_back(std::move(key), std::move(value));
  return *this;
}

Message& Message::add(std::string key, std::uint64_t value) {
  return add(std::move(key), std::to_string(value));
}

const std::string* Message::get(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

std::optional<std::int64_t> Message::number(std::string_view key) const {
  const std::string* v = get(key);
  if (v == nullptr || v->empty()) return std::nullopt;
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size()) return std::nullopt;
  return n;
}

std::string Message::text() const {
  std::string out = verb;
  for (const auto& [k, v] : fields) {
    out.push_back(' ');
    out += k;
    out.push_back('=');
    out += percent_encode(v);
  }
  return out;
}

Result<Message> parse_message(std::string_view text) {
  Message m;
  std::size_t i = 0;
  while (i < text.size() && text[i] >= 'A' && text[i] <= 'Z') ++i;
  if (i == 0) return make_error("no verb");
  m.verb.assign(text.substr(0, i));
  text.remove_prefix(i);
  while (!text.empty()) {
    if (text[0] != ' ' || text.size() == 1)
      return make_error("fields must be separated by one space");
    text.remove_prefix(1);
    std::size_t k = 0;
    while (k < text.size() && ((text[k] >= 'a' && text[k] <= 'z') || text[k] == '_')) ++k;
    if (k == 0 || k >= text.size() || text[k] != '=') return make_error("malformed key");
    std::string key(text.substr(0, k));
    text.remove_prefix(k + 1);
    std::size_t e = 0;
    while (e < text.size() && text[e] != ' ') ++e;
    auto value = percent_decode(text.substr(0, e));
    if (!value) return value.take_error();
    if (m.get(key) != nullptr) return make_error("repeated key " + key);
    m.fields.emplace_back(std::move(key), std::move(*value));
    text.remove_prefix(e);
  }
  return m;
}

}  // namespace stsh::enforcer::audit_wire
