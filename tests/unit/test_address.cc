#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <string>

#include <catch2/catch.hpp>

#include "policy/address.h"

using namespace stsh::policy;

namespace {

AddressPattern pattern(std::string_view text) {
  const auto r = parse_address_pattern(text);
  INFO(text);
  if (!r.ok()) FAIL(r.error().message);
  return r.value();
}

// The offset and message of a rejected pattern, as "offset: message".
std::string error_of(std::string_view text) {
  const auto r = parse_address_pattern(text);
  INFO(text);
  REQUIRE_FALSE(r.ok());
  return std::to_string(r.error().offset) + ": " + r.error().message;
}

IpBytes ip(std::string_view text) {
  IpBytes out{};
  const std::string s(text);
  const int family = s.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  REQUIRE(inet_pton(family, s.c_str(), out.data()) == 1);
  return out;
}

std::optional<std::string> format_in(const char* addr, uint16_t port) {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  inet_pton(AF_INET, addr, &in.sin_addr);
  return format_sockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof in);
}

std::optional<std::string> format_in6(const char* addr, uint16_t port,
                                      socklen_t len = sizeof(sockaddr_in6)) {
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  in6.sin6_scope_id = 3;
  inet_pton(AF_INET6, addr, &in6.sin6_addr);
  return format_sockaddr(reinterpret_cast<const sockaddr*>(&in6), len);
}

// A sockaddr_un whose sun_path holds exactly `path` (which may contain NULs).
std::optional<std::string> format_un(std::string_view path) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, path.data(), path.size());
  return format_sockaddr(reinterpret_cast<const sockaddr*>(&un),
                         static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size()));
}

}  // namespace

TEST_CASE("parse_address_pattern: inet forms", "[address]") {
  auto p = pattern("inet:*:*");
  CHECK(p.family == AddressFamily::inet);
  CHECK(p.prefix_len == 0);
  CHECK(p.any_port());

  p = pattern("inet:10.1.2.3:443");
  CHECK(p.addr == ip("10.1.2.3"));
  CHECK(p.prefix_len == 32);
  CHECK(p.port_lo == 443);
  CHECK(p.port_hi == 443);

  p = pattern("inet:10.0.0.0/8:8000-8100");
  CHECK(p.addr == ip("10.0.0.0"));
  CHECK(p.prefix_len == 8);
  CHECK(p.port_lo == 8000);
  CHECK(p.port_hi == 8100);

  p = pattern("inet:0.0.0.0/0:0");
  CHECK(p.prefix_len == 0);
  CHECK(p.port_lo == 0);
  CHECK(p.port_hi == 0);

  CHECK(pattern("inet:1.2.3.4:0-65535").any_port());
  CHECK(pattern("inet:192.168.1.128/25:65535").port_lo == 65535);
}

TEST_CASE("parse_address_pattern: inet6 forms", "[address]") {
  auto p = pattern("inet6:[::1]:22");
  CHECK(p.family == AddressFamily::inet6);
  CHECK(p.addr == ip("::1"));
  CHECK(p.prefix_len == 128);
  CHECK(p.port_lo == 22);

  p = pattern("inet6:[*]:*");
  CHECK(p.prefix_len == 0);
  CHECK(p.any_port());

  p = pattern("inet6:[2001:db8::/32]:80-81");
  CHECK(p.addr == ip("2001:db8::"));
  CHECK(p.prefix_len == 32);
  CHECK(p.port_hi == 81);
}

TEST_CASE("parse_address_pattern: unix forms", "[address]") {
  auto p = pattern("unix:/run/user/*/bus");
  CHECK(p.family == AddressFamily::unix_path);
  CHECK(p.glob == "/run/user/*/bus");

  p = pattern("unix:@/tmp/.X11-unix/X*");
  CHECK(p.family == AddressFamily::unix_abstract);
  CHECK(p.glob == "/tmp/.X11-unix/X*");

  CHECK(pattern("unix:@dbus-*").glob == "dbus-*");
}

TEST_CASE("parse_address_pattern: errors point at the bad part", "[address]") {
  CHECK(error_of("tcp:1.2.3.4:80") == "0: expected 'inet:', 'inet6:' or 'unix:' address");
  CHECK(error_of("") == "0: expected 'inet:', 'inet6:' or 'unix:' address");
  CHECK(error_of("INET:1.2.3.4:80") == "0: expected 'inet:', 'inet6:' or 'unix:' address");
  CHECK(error_of("inet:300.1.2.3:80") == "5: invalid IPv4 address '300.1.2.3'");
  CHECK(error_of("inet:1.2.3:80") == "5: invalid IPv4 address '1.2.3'");
  CHECK(error_of("inet::80") == "5: missing IPv4 address (use * for any)");
  CHECK(error_of("inet:::1:22") ==
        "5: invalid IPv4 address '::1' (IPv6 addresses are written inet6:[ADDRESS]:PORT)");
  CHECK(error_of("inet:1.2.3.4") ==
        "12: missing ':PORT' after the address (e.g. inet:10.0.0.1:443)");
  CHECK(error_of("inet:1.2.3.4:70000") == "13: invalid port '70000' (0-65535)");
  CHECK(error_of("inet:1.2.3.4:") == "13: missing port (use * for any)");
  CHECK(error_of("inet:1.2.3.4:http") == "13: invalid port 'http' (0-65535)");
  CHECK(error_of("inet:1.2.3.4:-5") == "13: invalid port '' (0-65535)");
  CHECK(error_of("inet:1.2.3.4:80-") == "16: invalid port '' (0-65535)");
  CHECK(error_of("inet:1.2.3.4:80-99999") == "16: invalid port '99999' (0-65535)");
  CHECK(error_of("inet:1.2.3.4:90-80") ==
        "13: invalid port range '90-80' (start greater than end)");
  CHECK(error_of("inet:1.2.3.4:1-2-3") == "15: invalid port '2-3' (0-65535)");
  CHECK(error_of("inet:10.0.0.0/33:80") == "14: prefix length 33 out of range for IPv4");
  CHECK(error_of("inet:10.0.0.0/:80") == "14: invalid prefix length ''");
  CHECK(error_of("inet:10.0.0.0/x:80") == "14: invalid prefix length 'x'");
  CHECK(error_of("inet:10.0.0.0/1000:80") == "14: invalid prefix length '1000'");
  CHECK(error_of("inet:10.1.2.3/8:80") ==
        "5: address '10.1.2.3/8' has host bits set (did you mean 10.0.0.0/8?)");
  CHECK(error_of(std::string_view("inet:1.2.3.4\0:80", 16)) == "12: NUL byte in address");
}

TEST_CASE("parse_address_pattern: inet6 and unix errors", "[address]") {
  CHECK(error_of("inet6:::1:22") == "6: expected '[' after 'inet6:' (e.g. inet6:[::1]:22)");
  CHECK(error_of("inet6:[::1:22") == "13: missing ']' after the IPv6 address");
  CHECK(error_of("inet6:[::1]") == "11: expected ':PORT' after ']'");
  CHECK(error_of("inet6:[::1]22") == "11: expected ':PORT' after ']'");
  CHECK(error_of("inet6:[::1]:99999") == "12: invalid port '99999' (0-65535)");
  CHECK(error_of("inet6:[1.2.3.4]:80") == "7: invalid IPv6 address '1.2.3.4'");
  CHECK(error_of("inet6:[fe80::1%eth0]:80") == "7: invalid IPv6 address 'fe80::1%eth0'");
  CHECK(error_of("inet6:[]:80") == "7: missing IPv6 address (use * for any)");
  CHECK(error_of("inet6:[::/129]:80") == "10: prefix length 129 out of range for IPv6");
  CHECK(error_of("inet6:[2001:db8::1/32]:80") ==
        "7: address '2001:db8::1/32' has host bits set (did you mean 2001:db8::/32?)");
  CHECK(error_of("unix:run/x.sock") ==
        "5: unix socket path must be absolute (or @NAME for an abstract socket)");
  CHECK(error_of("unix:") ==
        "5: unix socket path must be absolute (or @NAME for an abstract socket)");
  CHECK(error_of("unix:@") == "6: missing abstract socket name after 'unix:@'");
}

TEST_CASE("AddressSet: CIDR and exact ports", "[address]") {
  AddressSet set;
  set.add(pattern("inet:10.0.0.0/8:443"), 5);
  set.add(pattern("inet:10.1.0.0/16:*"), 7);
  set.add(pattern("inet:10.1.2.3:443"), 9);
  CHECK(set.first_match("inet:10.9.9.9:443") == 5u);
  CHECK(set.first_match("inet:10.1.2.3:443") == 5u);  // all three match: the smallest id
  CHECK(set.first_match("inet:10.1.2.3:80") == 7u);
  CHECK(set.first_match("inet:10.1.200.1:22") == 7u);
  CHECK_FALSE(set.first_match("inet:10.2.0.1:80"));
  CHECK_FALSE(set.first_match("inet:11.0.0.1:443"));
  CHECK_FALSE(set.first_match("inet6:[::1]:443"));
  CHECK(set.first_match_inet(AddressFamily::inet, ip("10.1.2.3"), 443) == 5u);
}

TEST_CASE("AddressSet: smallest id wins regardless of insertion order", "[address]") {
  AddressSet set;
  set.add(pattern("inet:1.2.3.4:80"), 30);
  set.add(pattern("inet:*:*"), 20);
  set.add(pattern("inet:1.2.3.4:80"), 10);
  set.add(pattern("inet:1.2.0.0/16:80-90"), 15);
  CHECK(set.first_match("inet:1.2.3.4:80") == 10u);
  CHECK(set.first_match("inet:1.2.9.9:85") == 15u);
  CHECK(set.first_match("inet:8.8.8.8:53") == 20u);
}

TEST_CASE("AddressSet: port ranges and edge ports", "[address]") {
  AddressSet set;
  set.add(pattern("inet:127.0.0.1:8000-8100"), 1);
  set.add(pattern("inet:*:0"), 2);
  set.add(pattern("inet:*:65535"), 3);
  CHECK(set.first_match("inet:127.0.0.1:8000") == 1u);
  CHECK(set.first_match("inet:127.0.0.1:8100") == 1u);
  CHECK_FALSE(set.first_match("inet:127.0.0.1:7999"));
  CHECK_FALSE(set.first_match("inet:127.0.0.1:8101"));
  CHECK_FALSE(set.first_match("inet:127.0.0.2:8050"));
  CHECK(set.first_match("inet:1.1.1.1:0") == 2u);
  CHECK(set.first_match("inet:1.1.1.1:65535") == 3u);
}

TEST_CASE("AddressSet: IPv6", "[address]") {
  AddressSet set;
  set.add(pattern("inet6:[2001:db8::/32]:443"), 4);
  set.add(pattern("inet6:[::1]:*"), 2);
  set.add(pattern("inet6:[fe80::/10]:1000-2000"), 6);
  CHECK(set.first_match("inet6:[2001:db8:1::5]:443") == 4u);
  CHECK_FALSE(set.first_match("inet6:[2001:db9::5]:443"));
  CHECK_FALSE(set.first_match("inet6:[2001:db8::5]:80"));
  CHECK(set.first_match("inet6:[::1]:22") == 2u);
  CHECK(set.first_match("inet6:[febf::1]:1500") == 6u);
  CHECK_FALSE(set.first_match("inet6:[fec0::1]:1500"));
  CHECK_FALSE(set.first_match("inet:127.0.0.1:22"));
}

TEST_CASE("AddressSet: IPv4-mapped IPv6 is IPv4", "[address]") {
  AddressSet set;
  set.add(pattern("inet:192.0.2.0/24:80"), 1);
  set.add(pattern("inet6:[::ffff:198.51.100.0/120]:*"), 2);
  set.add(pattern("inet6:[*]:443"), 3);
  CHECK(set.first_match("inet6:[::ffff:192.0.2.7]:80") == 1u);
  CHECK(set.first_match("inet:198.51.100.9:22") == 2u);
  CHECK(set.first_match_inet(AddressFamily::inet6, ip("::ffff:192.0.2.7"), 80) == 1u);
  CHECK_FALSE(set.first_match("inet:8.8.8.8:443"));  // inet6 '*' is not IPv4 traffic
  CHECK(set.first_match("inet6:[2001:db8::1]:443") == 3u);
}

TEST_CASE("AddressSet: unix patterns are collected, not matched", "[address]") {
  AddressSet set;
  set.add(pattern("unix:/run/*.sock"), 1);
  set.add(pattern("unix:@name*"), 2);
  set.add(pattern("inet:*:*"), 3);
  CHECK(set.unix_paths() == AddressSet::GlobList{{"/run/*.sock", 1}});
  CHECK(set.unix_abstract_names() == AddressSet::GlobList{{"name*", 2}});
  CHECK_FALSE(set.first_match("unix:/run/a.sock"));
  CHECK_FALSE(set.first_match("unix:@name1"));
  CHECK_FALSE(set.first_match("family:16"));
  CHECK_FALSE(set.first_match("garbage"));
  CHECK(set.first_match("inet:1.2.3.4:5") == 3u);
}

TEST_CASE("AddressSet: empty set matches nothing", "[address]") {
  const AddressSet set;
  CHECK_FALSE(set.first_match("inet:1.2.3.4:80"));
  CHECK_FALSE(set.first_match("inet6:[::]:0"));
}

TEST_CASE("format_sockaddr: inet and inet6", "[address]") {
  CHECK(format_in("1.2.3.4", 80) == "inet:1.2.3.4:80");
  CHECK(format_in("0.0.0.0", 0) == "inet:0.0.0.0:0");
  CHECK(format_in6("::1", 22) == "inet6:[::1]:22");
  CHECK(format_in6("2001:0db8:0000:0000:0000:0000:0000:0001", 443) == "inet6:[2001:db8::1]:443");
  CHECK(format_in6("::ffff:10.0.0.1", 80) == "inet:10.0.0.1:80");
  CHECK(format_in6("fe80::1", 22, 24) == "inet6:[fe80::1]:22");  // RFC 2133 length, no scope
  CHECK_FALSE(format_in6("::1", 22, 23));
  sockaddr_in in{};
  in.sin_family = AF_INET;
  CHECK_FALSE(format_sockaddr(reinterpret_cast<const sockaddr*>(&in), sizeof in - 1));
  CHECK_FALSE(format_sockaddr(reinterpret_cast<const sockaddr*>(&in), 1));
  CHECK_FALSE(format_sockaddr(nullptr, 16));
}

TEST_CASE("format_sockaddr: unix and other families", "[address]") {
  CHECK(format_un("/run/x.sock") == "unix:/run/x.sock");
  CHECK(format_un(std::string_view("/run/x.sock\0\0\0", 14)) == "unix:/run/x.sock");
  CHECK(format_un(std::string_view("\0name", 5)) == "unix:@name");
  CHECK(format_un(std::string_view("\0a\0b\n\\", 6)) == "unix:@a\\x00b\\x0a\\x5c");
  CHECK(format_un(std::string_view("\0", 1)) == "unix:@");
  CHECK(format_un("") == "unix:");
  CHECK(format_un("rel.sock") == "unix:rel.sock");
  CHECK(format_un("/tmp/\x7f\x01") == "unix:/tmp/\\x7f\\x01");

  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  alignas(sockaddr_un) char big[sizeof un + 1] = {};
  std::memcpy(big, &un, sizeof un);
  CHECK_FALSE(format_sockaddr(reinterpret_cast<const sockaddr*>(big), sizeof un + 1));

  sockaddr other{};
  other.sa_family = AF_NETLINK;
  CHECK(format_sockaddr(&other, sizeof other) == "family:16");
}

TEST_CASE("parse_sockaddr_text round trips format_sockaddr", "[address]") {
  auto p = parse_sockaddr_text(*format_in("192.0.2.1", 8080));
  REQUIRE(p);
  CHECK(p->family == AddressFamily::inet);
  CHECK(p->addr == ip("192.0.2.1"));
  CHECK(p->port == 8080);

  p = parse_sockaddr_text(*format_in6("2001:db8::7", 65535));
  REQUIRE(p);
  CHECK(p->family == AddressFamily::inet6);
  CHECK(p->addr == ip("2001:db8::7"));
  CHECK(p->port == 65535);

  const std::string_view abstract("\0a\0b\n\\z", 7);
  p = parse_sockaddr_text(*format_un(abstract));
  REQUIRE(p);
  CHECK(p->family == AddressFamily::unix_abstract);
  CHECK(p->path == abstract.substr(1));

  p = parse_sockaddr_text(*format_un("/run/a b\tc.sock"));
  REQUIRE(p);
  CHECK(p->family == AddressFamily::unix_path);
  CHECK(p->path == "/run/a b\tc.sock");

  p = parse_sockaddr_text(*format_un(""));
  REQUIRE(p);
  CHECK(p->family == AddressFamily::unix_unnamed);

  p = parse_sockaddr_text("family:16");
  REQUIRE(p);
  CHECK(p->family == AddressFamily::other);
  CHECK(p->other_family == 16);
}

TEST_CASE("parse_sockaddr_text: mapped addresses and malformed text", "[address]") {
  auto p = parse_sockaddr_text("inet6:[::ffff:1.2.3.4]:80");
  REQUIRE(p);
  CHECK(p->family == AddressFamily::inet);
  CHECK(p->addr == ip("1.2.3.4"));
  for (const char* bad :
       {"", "inet:", "inet:1.2.3.4", "inet:1.2.3.4:", "inet:1.2.3.4:65536", "inet:1.2.3.4:-1",
        "inet:1.2.3:80", "inet6:::1:22", "inet6:[::1]22", "inet6:[::1]:x", "unix:@a\\x0",
        "unix:@a\\y00", "unix:/a\\xzz", "family:", "family:x", "tcp:1.2.3.4:80"}) {
    INFO(bad);
    CHECK_FALSE(parse_sockaddr_text(bad));
  }
}
