// Socket addresses for the connect/bind compact lists: the patterns a policy writes
// ("inet:10.0.0.0/8:443", "inet6:[::1]:*", "unix:/run/*.sock", "unix:@name*"), the canonical text
// the enforcer renders a trapped sockaddr to, and a set that finds the first matching pattern in
// time independent of how many patterns there are.
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are IPv4 traffic: format_sockaddr renders them as
// "inet:a.b.c.d:P", and AddressSet stores an inet6 pattern that lies inside ::ffff:0:0/96 as the
// equivalent inet pattern. So a rule or list entry written for an IPv4 address cannot be
// sidestepped through an AF_INET6 socket; wider inet6 patterns ("inet6:[*]:*") do not cover
// IPv4 traffic.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace stsh::policy {

// Patterns use the first four (inet, unix_path, unix_abstract); sockaddr text may have all six.
enum class AddressFamily : uint8_t { inet, inet6, unix_path, unix_abstract, unix_unnamed, other };

// An IP address in network byte order; IPv4 uses the first 4 bytes, the rest stay zero.
using IpBytes = std::array<uint8_t, 16>;

struct AddressPattern {
  AddressFamily family = AddressFamily::inet;
  IpBytes addr{};           // host bits beyond prefix_len are zero
  unsigned prefix_len = 0;  // host '*' is prefix 0; a plain address is 32 / 128
  uint16_t port_lo = 0;     // port '*' is 0-65535, 'N' is N-N
  uint16_t port_hi = 65535;
  std::string glob;  // unix_path: the absolute path glob; unix_abstract: the name glob, no '@'

  bool any_port() const { return port_lo == 0 && port_hi == 65535; }
  bool operator==(const AddressPattern&) const = default;
};

// What is wrong and where: `offset` is the 0-based byte offset of the bad part in the text given
// to parse_address_pattern, so the loader can turn it into a column.
struct AddressError {
  size_t offset = 0;
  std::string message;
};

class [[nodiscard]] AddressResult {
 public:
  AddressResult(AddressPattern p) : v_(std::move(p)) {}  // NOLINT: implicit, like Result
  AddressResult(AddressError e) : v_(std::move(e)) {}    // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const AddressPattern& value() const { return std::get<0>(v_); }
  const AddressError& error() const { return std::get<1>(v_); }

 private:
  std::variant<AddressPattern, AddressError> v_;
};

// inet:HOST:PORT (HOST = * | IPv4 | IPv4/len), inet6:[HOST]:PORT (HOST = * | IPv6 | IPv6/len),
// PORT = * | N | N-M; unix:/ABSOLUTE/GLOB; unix:@NAME-GLOB. Globs are stored, not validated:
// the policy compiler validates them with the glob module. A prefix with host bits set
// ("10.1.2.3/8") is an error, since it usually means a typo.
AddressResult parse_address_pattern(std::string_view text);

// The canonical text of a trapped sockaddr, as rules and compact lists see it:
//   "inet:1.2.3.4:80", "inet6:[::1]:22" (RFC 5952 form; scope id dropped),
//   "unix:/run/x.sock" (the path as given, up to its NUL), "unix:@name" (abstract: the bytes
//   after the leading NUL, all of them), "unix:" (unnamed), "family:N" (other families).
// In unix paths and names, bytes below 0x20, 0x7f and '\' are escaped as \xNN so the text is
// printable and reversible. nullopt when the address is too short for its family, the way the
// kernel would reject it with EINVAL. A relative unix path stays relative: making it absolute
// needs the caller's cwd, which is the enforcer's job.
std::optional<std::string> format_sockaddr(const struct sockaddr* sa, socklen_t len);

// format_sockaddr's text taken apart again. IPv4-mapped inet6 text comes back as inet.
struct ParsedSockaddr {
  AddressFamily family = AddressFamily::other;
  IpBytes addr{};        // inet, inet6
  uint16_t port = 0;     // inet, inet6
  std::string path;      // unix_path, unix_abstract: raw bytes, unescaped, abstract without NUL
  int other_family = 0;  // other: the AF_ number

  bool operator==(const ParsedSockaddr&) const = default;
};
std::optional<ParsedSockaddr> parse_sockaddr_text(std::string_view text);

// The connect or bind list of one policy: finds the smallest id among the inet/inet6 patterns
// that match an address. Patterns with port '*' or a single port are hashed by (masked address,
// port) in one bucket per prefix length, so a lookup costs one or two hash probes per distinct
// prefix length in use (at most 33 for IPv4, 129 for IPv6), whatever the number of patterns.
// Port ranges (N-M) are kept in a list scanned linearly: they are rare, and hashing ranges would
// need an interval structure that is not worth it at that size.
// Unix patterns are only collected: the policy compiler moves their globs into a PatternSet.
class AddressSet {
 public:
  using GlobList = std::vector<std::pair<std::string, uint32_t>>;

  void add(const AddressPattern& pattern, uint32_t id);

  // Smallest id matching the canonical sockaddr text; nullopt for no match, for unix addresses
  // (the compiler matches those) and for text parse_sockaddr_text rejects.
  std::optional<uint32_t> first_match(std::string_view sockaddr_text) const;

  // family is inet or inet6; addr as in ParsedSockaddr.
  std::optional<uint32_t> first_match_inet(AddressFamily family, const IpBytes& addr,
                                           uint16_t port) const;

  const GlobList& unix_paths() const { return unix_paths_; }
  const GlobList& unix_abstract_names() const { return unix_abstract_; }

 private:
  // port kAnyPort marks a port-'*' entry; real ports are 0..65535.
  static constexpr uint32_t kAnyPort = 0x10000;
  struct Key {
    IpBytes addr;
    uint32_t port;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Range {
    IpBytes addr;
    unsigned prefix_len;
    uint16_t lo, hi;
    uint32_t id;
  };
  struct Table {
    explicit Table(unsigned bits) : by_prefix(bits + 1) {}
    std::vector<std::unordered_map<Key, uint32_t, KeyHash>> by_prefix;  // index: prefix length
    std::vector<unsigned> prefixes;  // the non-empty buckets, sorted
    std::vector<Range> ranges;
  };

  static void add_to(Table& table, IpBytes addr, unsigned prefix_len, uint16_t lo, uint16_t hi,
                     uint32_t id);
  static std::optional<uint32_t> lookup(const Table& table, const IpBytes& addr, uint16_t port);

  Table v4_{32};
  Table v6_{128};
  GlobList unix_paths_;
  GlobList unix_abstract_;
};

}  // namespace stsh::policy
