#include "policy/address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace stsh::policy {
namespace {

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal without sign, at most `max`; nullopt otherwise. Bounded length keeps it overflow-free.
std::optional<unsigned> parse_decimal(std::string_view s, unsigned max) {
  if (!all_digits(s) || s.size() > 6) return std::nullopt;
  unsigned v = 0;
  for (const char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  if (v > max) return std::nullopt;
  return v;
}

void mask_to(IpBytes& addr, unsigned prefix_len) {
  for (unsigned i = 0; i < addr.size(); ++i) {
    const unsigned first_bit = i * 8;
    if (prefix_len >= first_bit + 8) continue;
    addr[i] = prefix_len <= first_bit
                  ? 0
                  : addr[i] & static_cast<uint8_t>(0xff00 >> (prefix_len - first_bit));
  }
}

// ::ffff:0:0/96, the IPv4-mapped block.
bool is_v4_mapped(const IpBytes& a) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(a.data(), kPrefix, sizeof kPrefix) == 0;
}

IpBytes mapped_to_v4(const IpBytes& a) {
  IpBytes v4{};
  std::copy(a.begin() + 12, a.end(), v4.begin());
  return v4;
}

std::optional<IpBytes> parse_ip(std::string_view text, bool v6) {
  IpBytes out{};
  const std::string nul_terminated(text);  // callers have rejected embedded NULs
  if (inet_pton(v6 ? AF_INET6 : AF_INET, nul_terminated.c_str(), out.data()) != 1) {
    return std::nullopt;
  }
  return out;
}

std::string format_ip(const IpBytes& addr, bool v6) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), buf, sizeof buf);
  return buf;
}

// HOST at text[base...]: '*', ADDR or ADDR/LEN.
std::optional<AddressError> parse_host(std::string_view host, size_t base, bool v6,
                                       AddressPattern& p) {
  const std::string_view kind = v6 ? "IPv6" : "IPv4";
  const unsigned max_len = v6 ? 128 : 32;
  if (host == "*") {
    p.prefix_len = 0;
    return std::nullopt;
  }
  if (host.empty()) {
    return AddressError{base, "missing " + std::string(kind) + " address (use * for any)"};
  }
  const size_t slash = host.find('/');
  const std::string_view addr_text = host.substr(0, slash);
  const auto addr = parse_ip(addr_text, v6);
  if (!addr) {
    std::string msg = "invalid " + std::string(kind) + " address " + quoted(addr_text);
    if (!v6 && addr_text.find(':') != std::string_view::npos) {
      msg += " (IPv6 addresses are written inet6:[ADDRESS]:PORT)";
    }
    return AddressError{base, std::move(msg)};
  }
  p.addr = *addr;
  p.prefix_len = max_len;
  if (slash != std::string_view::npos) {
    const std::string_view len_text = host.substr(slash + 1);
    const size_t len_offset = base + slash + 1;
    if (!all_digits(len_text) || len_text.size() > 3) {
      return AddressError{len_offset, "invalid prefix length " + quoted(len_text)};
    }
    const auto len = parse_decimal(len_text, 999).value();
    if (len > max_len) {
      return AddressError{len_offset, "prefix length " + std::to_string(len) +
                                          " out of range for " + std::string(kind)};
    }
    p.prefix_len = len;
    IpBytes masked = p.addr;
    mask_to(masked, len);
    if (masked != p.addr) {
      return AddressError{base, "address " + quoted(host) + " has host bits set (did you mean " +
                                    format_ip(masked, v6) + "/" + std::to_string(len) + "?)"};
    }
  }
  return std::nullopt;
}

// PORT at text[base...]: '*', N or N-M.
std::optional<AddressError> parse_port(std::string_view port, size_t base, AddressPattern& p) {
  if (port == "*") {
    p.port_lo = 0;
    p.port_hi = 65535;
    return std::nullopt;
  }
  if (port.empty()) return AddressError{base, "missing port (use * for any)"};
  const size_t dash = port.find('-');
  const std::string_view lo_text = port.substr(0, dash);
  const auto lo = parse_decimal(lo_text, 65535);
  if (!lo) return AddressError{base, "invalid port " + quoted(lo_text) + " (0-65535)"};
  auto hi = lo;
  if (dash != std::string_view::npos) {
    const std::string_view hi_text = port.substr(dash + 1);
    hi = parse_decimal(hi_text, 65535);
    if (!hi) return AddressError{base + dash + 1, "invalid port " + quoted(hi_text) + " (0-65535)"};
    if (*lo > *hi) {
      return AddressError{base, "invalid port range " + quoted(port) + " (start greater than end)"};
    }
  }
  p.port_lo = static_cast<uint16_t>(*lo);
  p.port_hi = static_cast<uint16_t>(*hi);
  return std::nullopt;
}

AddressResult parse_inet(std::string_view text, size_t base) {
  AddressPattern p;
  p.family = AddressFamily::inet;
  const std::string_view rest = text.substr(base);
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    return AddressError{text.size(), "missing ':PORT' after the address (e.g. inet:10.0.0.1:443)"};
  }
  if (auto e = parse_host(rest.substr(0, colon), base, /* v6= */ false, p)) return *e;
  if (auto e = parse_port(rest.substr(colon + 1), base + colon + 1, p)) return *e;
  return p;
}

AddressResult parse_inet6(std::string_view text, size_t base) {
  AddressPattern p;
  p.family = AddressFamily::inet6;
  const std::string_view rest = text.substr(base);
  if (rest.empty() || rest[0] != '[') {
    return AddressError{base, "expected '[' after 'inet6:' (e.g. inet6:[::1]:22)"};
  }
  const size_t close = rest.find(']');
  if (close == std::string_view::npos) {
    return AddressError{text.size(), "missing ']' after the IPv6 address"};
  }
  if (auto e = parse_host(rest.substr(1, close - 1), base + 1, /* v6= */ true, p)) return *e;
  const size_t after = close + 1;
  if (after >= rest.size() || rest[after] != ':') {
    return AddressError{base + after, "expected ':PORT' after ']'"};
  }
  if (auto e = parse_port(rest.substr(after + 1), base + after + 1, p)) return *e;
  return p;
}

AddressResult parse_unix(std::string_view text, size_t base) {
  AddressPattern p;
  const std::string_view rest = text.substr(base);
  if (!rest.empty() && rest[0] == '@') {
    if (rest.size() == 1) {
      return AddressError{base + 1, "missing abstract socket name after 'unix:@'"};
    }
    p.family = AddressFamily::unix_abstract;
    p.glob = std::string(rest.substr(1));
    return p;
  }
  if (rest.empty() || rest[0] != '/') {
    return AddressError{base,
                        "unix socket path must be absolute (or @NAME for an abstract socket)"};
  }
  p.family = AddressFamily::unix_path;
  p.glob = std::string(rest);
  return p;
}

// Unix socket paths and abstract names may hold any byte; escape the unprintable ones and '\'
// itself so the text stays printable and parse_sockaddr_text can undo it.
std::string escape_bytes(std::string_view raw) {
  std::string out;
  for (const char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> unescape_bytes(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 3 >= text.size() || text[i + 1] != 'x') return std::nullopt;
    const int high = hex_value(text[i + 2]);
    const int low = hex_value(text[i + 3]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 3;
  }
  return out;
}

// "ADDR:PORT" for inet, "[ADDR]:PORT" for inet6.
std::optional<ParsedSockaddr> parse_ip_port(std::string_view rest, bool v6) {
  std::string_view addr_text;
  std::string_view port_text;
  if (v6) {
    const size_t close = rest.find(']');
    if (rest.empty() || rest[0] != '[' || close == std::string_view::npos ||
        rest.substr(close, 2) != "]:") {
      return std::nullopt;
    }
    addr_text = rest.substr(1, close - 1);
    port_text = rest.substr(close + 2);
  } else {
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    addr_text = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  }
  const auto addr = parse_ip(addr_text, v6);
  const auto port = parse_decimal(port_text, 65535);
  if (!addr || !port) return std::nullopt;
  ParsedSockaddr s;
  s.family = v6 ? AddressFamily::inet6 : AddressFamily::inet;
  s.addr = *addr;
  s.port = static_cast<uint16_t>(*port);
  if (v6 && is_v4_mapped(s.addr)) {
    s.family = AddressFamily::inet;
    s.addr = mapped_to_v4(s.addr);
  }
  return s;
}

}  // namespace

AddressResult parse_address_pattern(std::string_view text) {
  // inet_pton reads a C string; an embedded NUL would silently cut the address short.
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return AddressError{nul, "NUL byte in address"};
  }
  if (text.starts_with("inet:")) return parse_inet(text, 5);
  if (text.starts_with("inet6:")) return parse_inet6(text, 6);
  if (text.starts_with("unix:")) return parse_unix(text, 5);
  return AddressError{0, "expected 'inet:', 'inet6:' or 'unix:' address"};
}

std::optional<std::string> format_sockaddr(const struct sockaddr* sa, socklen_t len) {
  if (sa == nullptr || len < sizeof(sa_family_t)) return std::nullopt;
  sa_family_t family;
  std::memcpy(&family, sa, sizeof family);  // the buffer may not be aligned for sockaddr_in6
  switch (family) {
    case AF_INET: {
      if (len < sizeof(sockaddr_in)) return std::nullopt;
      sockaddr_in in;
      std::memcpy(&in, sa, sizeof in);
      IpBytes addr{};
      std::memcpy(addr.data(), &in.sin_addr, 4);
      return "inet:" + format_ip(addr, /* v6= */ false) + ":" + std::to_string(ntohs(in.sin_port));
    }
    case AF_INET6: {
      // The kernel accepts the RFC 2133 size, without sin6_scope_id.
      constexpr socklen_t kMinLen = offsetof(sockaddr_in6, sin6_scope_id);
      if (len < kMinLen) return std::nullopt;
      sockaddr_in6 in6{};
      std::memcpy(&in6, sa, std::min<size_t>(len, sizeof in6));
      IpBytes addr{};
      std::memcpy(addr.data(), &in6.sin6_addr, 16);
      const std::string port = std::to_string(ntohs(in6.sin6_port));
      if (is_v4_mapped(addr)) return "inet:" + format_ip(mapped_to_v4(addr), false) + ":" + port;
      return "inet6:[" + format_ip(addr, /* v6= */ true) + "]:" + port;
    }
    case AF_UNIX: {
      // Longer than sockaddr_un is EINVAL in the kernel; we must not read past it either.
      if (len > sizeof(sockaddr_un)) return std::nullopt;
      const size_t n = len - offsetof(sockaddr_un, sun_path);
      const char* path = reinterpret_cast<const char*>(sa) + offsetof(sockaddr_un, sun_path);
      if (n == 0) return "unix:";
      if (path[0] == '\0') return "unix:@" + escape_bytes(std::string_view(path + 1, n - 1));
      return "unix:" + escape_bytes(std::string_view(path, strnlen(path, n)));
    }
    default:
      return "family:" + std::to_string(family);
  }
}

std::optional<ParsedSockaddr> parse_sockaddr_text(std::string_view text) {
  if (text.starts_with("inet:")) return parse_ip_port(text.substr(5), /* v6= */ false);
  if (text.starts_with("inet6:")) return parse_ip_port(text.substr(6), /* v6= */ true);
  ParsedSockaddr s;
  if (text.starts_with("unix:")) {
    std::string_view rest = text.substr(5);
    if (rest.empty()) {
      s.family = AddressFamily::unix_unnamed;
      return s;
    }
    s.family = AddressFamily::unix_path;
    if (rest[0] == '@') {
      s.family = AddressFamily::unix_abstract;
      rest.remove_prefix(1);
    }
    auto raw = unescape_bytes(rest);
    if (!raw) return std::nullopt;
    s.path = std::move(*raw);
    return s;
  }
  if (text.starts_with("family:")) {
    const auto n = parse_decimal(text.substr(7), 65535);
    if (!n) return std::nullopt;
    s.family = AddressFamily::other;
    s.other_family = static_cast<int>(*n);
    return s;
  }
  return std::nullopt;
}

size_t AddressSet::KeyHash::operator()(const Key& k) const {
  // FNV-1a over the address bytes and the port.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  for (const uint8_t b : k.addr) mix(b);
  for (int shift = 0; shift < 24; shift += 8) mix(static_cast<uint8_t>(k.port >> shift));
  return static_cast<size_t>(h);
}

void AddressSet::add_to(Table& table, IpBytes addr, unsigned prefix_len, uint16_t lo, uint16_t hi,
                        uint32_t id) {
  mask_to(addr, prefix_len);  // patterns from the parser are masked already; be safe anyway
  if (lo != hi && !(lo == 0 && hi == 65535)) {
    table.ranges.push_back(Range{addr, prefix_len, lo, hi, id});
    return;
  }
  const uint32_t port = lo == hi ? lo : kAnyPort;
  auto& bucket = table.by_prefix[prefix_len];
  auto [it, inserted] = bucket.try_emplace(Key{addr, port}, id);
  if (!inserted) it->second = std::min(it->second, id);
  auto pos = std::lower_bound(table.prefixes.begin(), table.prefixes.end(), prefix_len);
  if (pos == table.prefixes.end() || *pos != prefix_len) table.prefixes.insert(pos, prefix_len);
}

void AddressSet::add(const AddressPattern& p, uint32_t id) {
  switch (p.family) {
    case AddressFamily::unix_path:
      unix_paths_.emplace_back(p.glob, id);
      return;
    case AddressFamily::unix_abstract:
      unix_abstract_.emplace_back(p.glob, id);
      return;
    case AddressFamily::inet:
      add_to(v4_, p.addr, std::min(p.prefix_len, 32u), p.port_lo, p.port_hi, id);
      return;
    case AddressFamily::inet6:
      // A pattern inside ::ffff:0:0/96 describes IPv4 traffic, which sockaddr text shows as inet.
      if (p.prefix_len >= 96 && is_v4_mapped(p.addr)) {
        add_to(v4_, mapped_to_v4(p.addr), std::min(p.prefix_len, 128u) - 96, p.port_lo, p.port_hi,
               id);
      } else {
        add_to(v6_, p.addr, std::min(p.prefix_len, 128u), p.port_lo, p.port_hi, id);
      }
      return;
    case AddressFamily::unix_unnamed:
    case AddressFamily::other:
      return;  // not pattern families; nothing can match them
  }
}

std::optional<uint32_t> AddressSet::lookup(const Table& table, const IpBytes& addr, uint16_t port) {
  std::optional<uint32_t> best;
  auto consider = [&best](uint32_t id) {
    if (!best || id < *best) best = id;
  };
  for (const unsigned len : table.prefixes) {
    Key key{addr, port};
    mask_to(key.addr, len);
    const auto& bucket = table.by_prefix[len];
    if (auto it = bucket.find(key); it != bucket.end()) consider(it->second);
    key.port = kAnyPort;
    if (auto it = bucket.find(key); it != bucket.end()) consider(it->second);
  }
  for (const Range& r : table.ranges) {
    if (port < r.lo || port > r.hi) continue;
    IpBytes masked = addr;
    mask_to(masked, r.prefix_len);
    if (masked == r.addr) consider(r.id);
  }
  return best;
}

std::optional<uint32_t> AddressSet::first_match_inet(AddressFamily family, const IpBytes& addr,
                                                     uint16_t port) const {
  if (family == AddressFamily::inet6 && is_v4_mapped(addr)) {
    return lookup(v4_, mapped_to_v4(addr), port);
  }
  if (family == AddressFamily::inet) {
    IpBytes v4{};  // only the first four bytes are the address
    std::copy(addr.begin(), addr.begin() + 4, v4.begin());
    return lookup(v4_, v4, port);
  }
  if (family == AddressFamily::inet6) return lookup(v6_, addr, port);
  return std::nullopt;
}

std::optional<uint32_t> AddressSet::first_match(std::string_view sockaddr_text) const {
  const auto s = parse_sockaddr_text(sockaddr_text);
  if (!s) return std::nullopt;
  return first_match_inet(s->family, s->addr, s->port);
}

}  // namespace stsh::policy
