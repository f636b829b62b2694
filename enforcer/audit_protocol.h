// The wire format between stsh-audit and its clients: one SOCK_SEQPACKET datagram per message,
// ASCII text "VERB key=value key=value...". Values are percent-encoded: every byte outside
// 0x21-0x7e, and '%' and '=', is written %XX (upper-case hex), so a value never holds a space,
// a control byte or an '=' and a path such as "/tmp/a b=c" cannot fake a field. The verbs and
// their fields are in docs/AUDIT.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/result.h"

namespace stsh::enforcer::audit_wire {

inline constexpr int kVersion = 1;
// Longest datagram either side sends or accepts. A DENIAL with a PATH_MAX path fully encoded
// (3 x 4096) and its other fields fits.
inline constexpr std::size_t kMaxMessage = 16384;
// Longest datagram a client may send (its requests are short).
inline constexpr std::size_t kMaxRequest = 256;

std::string percent_encode(std::string_view value);
Result<std::string> percent_decode(std::string_view encoded);

struct Message {
  std::string verb;
  std::vector<std::pair<std::string, std::string>> fields;  // decoded values, in order

  Message& add(std::string key, std::string value);
  Message& add(std::string key, std::uint64_t value);
  [[nodiscard]] const std::string* get(std::string_view key) const;
  // The value of `key` as a decimal number that fits in an int64.
  [[nodiscard]] std::optional<std::int64_t> number(std::string_view key) const;
  [[nodiscard]] std::string text() const;
};

// Strict: the verb is [A-Z]+, keys are [a-z_]+, each key appears once, single spaces.
Result<Message> parse_message(std::string_view text);

}  // namespace stsh::enforcer::audit_wire
