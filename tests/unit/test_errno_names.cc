#include <cerrno>
#include <string>

#include <catch2/catch.hpp>

#include "policy/errno_names.h"

using stsh::policy::all_errno_names;
using stsh::policy::errno_from_name;
using stsh::policy::errno_name;

TEST_CASE("errno_from_name knows the common names, in any case", "[errno]") {
  CHECK(errno_from_name("eperm") == EPERM);
  CHECK(errno_from_name("EPERM") == EPERM);
  CHECK(errno_from_name("EAcces") == EACCES);
  CHECK(errno_from_name("enoent") == ENOENT);
  CHECK(errno_from_name("erofs") == EROFS);
  CHECK(errno_from_name("enosys") == ENOSYS);
  CHECK(errno_from_name("econnrefused") == ECONNREFUSED);
  CHECK(errno_from_name("enetunreach") == ENETUNREACH);
  CHECK(errno_from_name("eexist") == EEXIST);
  CHECK(errno_from_name("exdev") == EXDEV);
  CHECK(errno_from_name("E2BIG") == E2BIG);
  CHECK(errno_from_name("ehwpoison") == EHWPOISON);
}

TEST_CASE("errno_from_name accepts aliases", "[errno]") {
  CHECK(errno_from_name("ewouldblock") == EAGAIN);
  CHECK(errno_from_name("EDEADLOCK") == EDEADLK);
  CHECK(errno_from_name("enotsup") == EOPNOTSUPP);
}

TEST_CASE("errno_from_name rejects what is not an errno name", "[errno]") {
  CHECK_FALSE(errno_from_name(""));
  CHECK_FALSE(errno_from_name("eprem"));
  CHECK_FALSE(errno_from_name("PERM"));
  CHECK_FALSE(errno_from_name("EPERM "));
  CHECK_FALSE(errno_from_name("13"));
  CHECK_FALSE(errno_from_name(std::string(100, 'E')));
  CHECK_FALSE(errno_from_name(std::string_view("EPERM\0", 6)));
}

TEST_CASE("errno_name gives the primary upper-case name", "[errno]") {
  CHECK(errno_name(EACCES) == "EACCES");
  CHECK(errno_name(EPERM) == "EPERM");
  CHECK(errno_name(EAGAIN) == "EAGAIN");
  CHECK(errno_name(EDEADLK) == "EDEADLK");
  CHECK(errno_name(EOPNOTSUPP) == "EOPNOTSUPP");
  CHECK(errno_name(0).empty());
  CHECK(errno_name(-1).empty());
  CHECK(errno_name(100000).empty());
}

TEST_CASE("all_errno_names is sorted, complete and round-trips", "[errno]") {
  const auto names = all_errno_names();
  REQUIRE(names.size() >= 130);
  for (size_t i = 1; i < names.size(); ++i) CHECK(names[i - 1] < names[i]);
  for (std::string_view name : names) {
    INFO(name);
    const std::optional<int> value = errno_from_name(name);
    REQUIRE(value);
    // Aliases map to their primary name; every other name maps to itself.
    if (name != "EWOULDBLOCK" && name != "EDEADLOCK" && name != "ENOTSUP")
      CHECK(errno_name(*value) == name);
    else
      CHECK(errno_name(*value) != name);
  }
  // Every value from 1 to EHWPOISON has a name.
  for (int e = 1; e <= EHWPOISON; ++e) {
    INFO(e);
    if (e == 41 || e == 58) continue;  // unused on Linux (EWOULDBLOCK/EDEADLOCK slots)
    CHECK_FALSE(errno_name(e).empty());
  }
}
