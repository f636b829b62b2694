#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "policy/units.h"

using namespace stsh::policy;

namespace {

template <typename T>
std::string error_of(const stsh::Result<T>& r) {
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().where.file.empty());  // the caller adds the location
  return r.error().message;
}

constexpr uint64_t kKiB = 1024;

}  // namespace

TEST_CASE("parse_size: numbers and units", "[units]") {
  CHECK(*parse_size("0") == 0);
  CHECK(*parse_size("0K") == 0);
  CHECK(*parse_size("512") == 512);
  CHECK(*parse_size("007") == 7);
  CHECK(*parse_size("1K") == kKiB);
  CHECK(*parse_size("1k") == kKiB);
  CHECK(*parse_size("1KiB") == kKiB);
  CHECK(*parse_size("512M") == 512 * kKiB * kKiB);
  CHECK(*parse_size("512m") == 512 * kKiB * kKiB);
  CHECK(*parse_size("3MiB") == 3 * kKiB * kKiB);
  CHECK(*parse_size("1G") == kKiB * kKiB * kKiB);
  CHECK(*parse_size("2g") == 2 * kKiB * kKiB * kKiB);
  CHECK(*parse_size("2GiB") == 2 * kKiB * kKiB * kKiB);
  CHECK(*parse_size("1T") == kKiB * kKiB * kKiB * kKiB);
  CHECK(*parse_size("5t") == 5 * kKiB * kKiB * kKiB * kKiB);
  CHECK(*parse_size("4TiB") == 4 * kKiB * kKiB * kKiB * kKiB);
  CHECK(*parse_size("18446744073709551614") == UINT64_MAX - 1);
  CHECK(*parse_size("16777215T") == 16777215 * kKiB * kKiB * kKiB * kKiB);
}

TEST_CASE("parse_size: malformed", "[units]") {
  const std::string tail = " (expected a number with an optional unit K, M, G or T, e.g. 512M)";
  CHECK(error_of(parse_size("12X")) == "invalid size '12X'" + tail);
  CHECK(error_of(parse_size("")) == "invalid size ''" + tail);
  CHECK(error_of(parse_size("M")) == "invalid size 'M'" + tail);
  CHECK(error_of(parse_size("-1")) == "invalid size '-1'" + tail);
  CHECK(error_of(parse_size("+1")) == "invalid size '+1'" + tail);
  CHECK(error_of(parse_size("1.5G")) == "invalid size '1.5G'" + tail);
  CHECK(error_of(parse_size("1 G")) == "invalid size '1 G'" + tail);
  CHECK(error_of(parse_size(" 1G")) == "invalid size ' 1G'" + tail);
  CHECK(error_of(parse_size("1Kib")) == "invalid size '1Kib'" + tail);
  CHECK(error_of(parse_size("1KB")) == "invalid size '1KB'" + tail);
  CHECK(error_of(parse_size("1kiB")) == "invalid size '1kiB'" + tail);
  CHECK(error_of(parse_size("1GG")) == "invalid size '1GG'" + tail);
  CHECK(error_of(parse_size("0x10")) == "invalid size '0x10'" + tail);
  CHECK(error_of(parse_size("unlimited")) == "invalid size 'unlimited'" + tail);
}

TEST_CASE("parse_size: too large", "[units]") {
  CHECK(error_of(parse_size("99999999T")) == "size '99999999T' is too large");
  CHECK(error_of(parse_size("16777216T")) == "size '16777216T' is too large");
  CHECK(error_of(parse_size("18446744073709551615")) == "size '18446744073709551615' is too large");
  CHECK(error_of(parse_size("99999999999999999999999")) ==
        "size '99999999999999999999999' is too large");
}

TEST_CASE("parse_size: unlimited only where accepted", "[units]") {
  CHECK(*parse_size("unlimited", Unlimited::accept) == kUnlimited);
  CHECK(*parse_size("1G", Unlimited::accept) == kKiB * kKiB * kKiB);
  CHECK(error_of(parse_size("Unlimited", Unlimited::accept)) ==
        "invalid size 'Unlimited' (expected a number with an optional unit K, M, G or T, e.g. "
        "512M, or 'unlimited')");
  CHECK(error_of(parse_size("18446744073709551615", Unlimited::accept)) ==
        "size '18446744073709551615' is too large");
}

TEST_CASE("parse_duration: numbers and units", "[units]") {
  CHECK(*parse_duration("0") == 0);
  CHECK(*parse_duration("0s") == 0);
  CHECK(*parse_duration("90") == 90);
  CHECK(*parse_duration("90s") == 90);
  CHECK(*parse_duration("30m") == 1800);
  CHECK(*parse_duration("2h") == 7200);
  CHECK(*parse_duration("1d") == 86400);
  CHECK(*parse_duration("9223372036854775807") == INT64_MAX);
}

TEST_CASE("parse_duration: errors", "[units]") {
  const std::string tail = " (expected a number with a unit s, m, h or d, e.g. 30m)";
  CHECK(error_of(parse_duration("5 minutes")) == "invalid duration '5 minutes'" + tail);
  CHECK(error_of(parse_duration("")) == "invalid duration ''" + tail);
  CHECK(error_of(parse_duration("m")) == "invalid duration 'm'" + tail);
  CHECK(error_of(parse_duration("1M")) == "invalid duration '1M'" + tail);
  CHECK(error_of(parse_duration("1w")) == "invalid duration '1w'" + tail);
  CHECK(error_of(parse_duration("1ms")) == "invalid duration '1ms'" + tail);
  CHECK(error_of(parse_duration("1.5h")) == "invalid duration '1.5h'" + tail);
  CHECK(error_of(parse_duration("-5s")) == "invalid duration '-5s'" + tail);
  CHECK(error_of(parse_duration("unlimited")) == "invalid duration 'unlimited'" + tail);
  CHECK(error_of(parse_duration("9223372036854775808")) ==
        "duration '9223372036854775808' is too large");
  CHECK(error_of(parse_duration("106751991167301d")) == "duration '106751991167301d' is too large");
  CHECK(*parse_duration("unlimited", Unlimited::accept) == kUnlimited);
  CHECK(error_of(parse_duration("forever", Unlimited::accept)) ==
        "invalid duration 'forever' (expected a number with a unit s, m, h or d, e.g. 30m, or "
        "'unlimited')");
}

TEST_CASE("parse_umask", "[units]") {
  CHECK(*parse_umask("077") == 077);
  CHECK(*parse_umask("0") == 0);
  CHECK(*parse_umask("22") == 022);
  CHECK(*parse_umask("0027") == 027);
  CHECK(*parse_umask("777") == 0777);
  CHECK(*parse_umask("0000000000000000000000777") == 0777);
  const std::string tail = " (expected octal digits, e.g. 077)";
  CHECK(error_of(parse_umask("")) == "invalid umask ''" + tail);
  CHECK(error_of(parse_umask("8")) == "invalid umask '8'" + tail);
  CHECK(error_of(parse_umask("0o77")) == "invalid umask '0o77'" + tail);
  CHECK(error_of(parse_umask("-1")) == "invalid umask '-1'" + tail);
  CHECK(error_of(parse_umask(" 077")) == "invalid umask ' 077'" + tail);
  CHECK(error_of(parse_umask("1000")) == "umask '1000' is out of range (at most 0777)");
  CHECK(error_of(parse_umask("77777777777777777777777")) ==
        "umask '77777777777777777777777' is out of range (at most 0777)");
}
