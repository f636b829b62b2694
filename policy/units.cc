#include "policy/units.h"

#include <optional>
#include <string>

namespace stsh::policy {
namespace {

struct Unit {
  std::string_view suffix;
  uint64_t factor;
};

constexpr uint64_t kKi = uint64_t{1} << 10;
constexpr uint64_t kMi = uint64_t{1} << 20;
constexpr uint64_t kGi = uint64_t{1} << 30;
constexpr uint64_t kTi = uint64_t{1} << 40;
// clang-format off
constexpr Unit kSizeUnits[] = {
    {"", 1},
    {"K", kKi},   {"M", kMi},   {"G", kGi},   {"T", kTi},
    {"k", kKi},   {"m", kMi},   {"g", kGi},   {"t", kTi},
    {"KiB", kKi}, {"MiB", kMi}, {"GiB", kGi}, {"TiB", kTi},
};
// clang-format on

constexpr Unit kDurationUnits[] = {
    {"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400},
};

enum class Parse : uint8_t { ok, malformed, too_large };

// Digits then one of `units`; the product must stay at or below `max`.
template <size_t N>
Parse parse_number(std::string_view text, const Unit (&units)[N], uint64_t max, uint64_t& out) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return Parse::malformed;
  const std::string_view suffix = text.substr(digits);
  const Unit* unit = nullptr;
  for (const auto& u : units) {
    if (u.suffix == suffix) unit = &u;
  }
  if (unit == nullptr) return Parse::malformed;
  uint64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const auto d = static_cast<uint64_t>(text[i] - '0');
    if (value > (max - d) / 10) return Parse::too_large;  // value * 10 + d would exceed max
    value = value * 10 + d;
  }
  if (value > max / unit->factor) return Parse::too_large;
  out = value * unit->factor;
  return Parse::ok;
}

std::string quoted(std::string_view text) {
  return "'" + std::string(text) + "'";
}

}  // namespace

Result<uint64_t> parse_size(std::string_view text, Unlimited unlimited) {
  const bool accept_unlimited = unlimited == Unlimited::accept;
  if (accept_unlimited && text == "unlimited") return kUnlimited;
  uint64_t value = 0;
  switch (parse_number(text, kSizeUnits, kUnlimited - 1, value)) {
    case Parse::ok:
      return value;
    case Parse::too_large:
      return make_error("size " + quoted(text) + " is too large");
    case Parse::malformed:
      break;
  }
  return make_error("invalid size " + quoted(text) +
                    " (expected a number with an optional unit K, M, G or T, e.g. 512M" +
                    (accept_unlimited ? ", or 'unlimited')" : ")"));
}

Result<uint64_t> parse_duration(std::string_view text, Unlimited unlimited) {
  const bool accept_unlimited = unlimited == Unlimited::accept;
  if (accept_unlimited && text == "unlimited") return kUnlimited;
  uint64_t value = 0;
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  switch (parse_number(text, kDurationUnits, kMax, value)) {
    case Parse::ok:
      return value;
    case Parse::too_large:
      return make_error("duration " + quoted(text) + " is too large");
    case Parse::malformed:
      break;
  }
  return make_error("invalid duration " + quoted(text) +
                    " (expected a number with a unit s, m, h or d, e.g. 30m" +
                    (accept_unlimited ? ", or 'unlimited')" : ")"));
}

Result<unsigned> parse_umask(std::string_view text) {
  if (text.empty()) return make_error("invalid umask '' (expected octal digits, e.g. 077)");
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '7') {
      return make_error("invalid umask " + quoted(text) + " (expected octal digits, e.g. 077)");
    }
    value = value * 8 + static_cast<unsigned>(c - '0');
    // Checked per digit so a long run of digits cannot overflow before we notice.
    if (value > 0777)
      return make_error("umask " + quoted(text) + " is out of range (at most 0777)");
  }
  return value;
}

}  // namespace stsh::policy
