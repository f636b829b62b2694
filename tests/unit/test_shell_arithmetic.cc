// $((...)): the C operators, their precedence, short-circuits that assign nothing, errors.
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "shell/arithmetic.h"

using namespace stsh::shell;

namespace {

struct Vars {
  std::map<std::string, std::string> values;
  ArithmeticVariables callbacks() {
    return {[this](const std::string& n) -> std::optional<std::string> {
              const auto it = values.find(n);
              if (it == values.end()) return std::nullopt;
              return it->second;
            },
            [this](const std::string& n, const std::string& v) -> stsh::Status {
              if (n == "RO") return stsh::make_error("RO: is read only");
              values[n] = v;
              return stsh::Ok{};
            }};
  }
};

long eval(const std::string& e, Vars& v) {
  auto r = evaluate_arithmetic(e, v.callbacks());
  INFO(e);
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("arithmetic: operators and precedence", "[shell][arithmetic]") {
  Vars v;
  v.values = {{"a", "7"}, {"b", "3"}, {"e", ""}, {"ex", "a+1"}};
  CHECK(eval("1+2*3", v) == 7);
  CHECK(eval("(1+2)*3", v) == 9);
  CHECK(eval("10-2-3", v) == 5);
  CHECK(eval("a/b", v) == 2);
  CHECK(eval("a%b", v) == 1);
  CHECK(eval("-a", v) == -7);
  CHECK(eval("!a", v) == 0);
  CHECK(eval("~0", v) == -1);
  CHECK(eval("1<<4", v) == 16);
  CHECK(eval("-16>>2", v) == -4);
  CHECK(eval("a<b", v) == 0);
  CHECK(eval("a>=7", v) == 1);
  CHECK(eval("a==7 && b!=7", v) == 1);
  CHECK(eval("6&3", v) == 2);
  CHECK(eval("6|3", v) == 7);
  CHECK(eval("6^3", v) == 5);
  CHECK(eval("0 || a", v) == 1);
  CHECK(eval("a ? 10 : 20", v) == 10);
  CHECK(eval("0 ? 10 : 1 ? 30 : 40", v) == 30);
  CHECK(eval("0x1f + 010", v) == 39);
  CHECK(eval("e + unset", v) == 0);
  CHECK(eval("ex * 2", v) == 16);
  CHECK(eval("1, 2, 3", v) == 3);
  CHECK(eval("", v) == 0);  // $(()) is 0
}

TEST_CASE("arithmetic: assignments and increments", "[shell][arithmetic]") {
  Vars v;
  CHECK(eval("x = 5", v) == 5);
  CHECK(eval("x += 2", v) == 7);
  CHECK(eval("x <<= 1", v) == 14);
  CHECK(eval("x++", v) == 14);
  CHECK(v.values["x"] == "15");
  CHECK(eval("--x", v) == 14);
  CHECK(eval("y = x == 14", v) == 1);
  // The side that does not count assigns nothing and divides by nothing.
  CHECK(eval("0 && (z = 1)", v) == 0);
  CHECK(eval("1 || (z = 1)", v) == 1);
  CHECK(eval("1 ? 2 : (z = 1 / 0)", v) == 2);
  CHECK(v.values.count("z") == 0);
}

TEST_CASE("arithmetic: errors are values", "[shell][arithmetic]") {
  Vars v;
  v.values = {{"self", "self"}};
  for (const char* e : {"1 / 0", "5 % 0", "1 +", "(1", "1 2", "09", "RO = 1", "self"}) {
    INFO(e);
    CHECK_FALSE(evaluate_arithmetic(e, v.callbacks()).ok());
  }
}
