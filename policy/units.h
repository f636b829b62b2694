// Values written with units in `session:`: sizes (limits), durations (timeout, limits.cpu,
// rate_limit.interval) and the umask. Errors carry a message only; the caller knows where the
// value sits in the file and adds the location.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

#include "policy/result.h"

namespace stsh::policy {

// What "unlimited" parses to. Equal to RLIM_INFINITY on Linux, so a limit can be passed to
// setrlimit unchanged. No finite value parses to it: numbers that large are "too large".
inline constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

// Whether "unlimited" is a valid value here. Only limits accept it; rejecting by default means
// a caller that forgets to think about it fails closed (an error, not an endless timeout).
enum class Unlimited : uint8_t { reject, accept };

// SIZE: digits with an optional unit K M G T, KiB MiB GiB TiB, k m g t (powers of 1024), e.g.
// "512M" -> 536870912, "0" -> 0. Bytes.
Result<uint64_t> parse_size(std::string_view text, Unlimited unlimited = Unlimited::reject);

// DURATION: digits with an optional unit s m h d; a bare number is seconds. "30m" -> 1800,
// "0" -> 0. Seconds, at most INT64_MAX so the value fits a time_t.
Result<uint64_t> parse_duration(std::string_view text, Unlimited unlimited = Unlimited::reject);

// UMASK: octal digits only ("077", "0027"), at most 0777.
Result<unsigned> parse_umask(std::string_view text);

}  // namespace stsh::policy
