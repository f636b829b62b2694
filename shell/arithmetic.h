// Arithmetic expansion $((...)) (XCU 2.6.4): signed long arithmetic with the C operators —
// unary + - ! ~, * / %, + -, << >>, < <= > >=, == !=, &, ^, |, &&, ||, ?:, the assignments
// = *= /= %= += -= <<= >>= &= ^= |=, prefix and postfix ++ and --, the comma, parentheses;
// decimal, octal (0NN) and hexadecimal (0xNN) constants; a variable's value is itself read as
// an integer constant (empty or unset is 0). && || and ?: evaluate only the side they need.
// Division by zero and a malformed expression are errors. Pure: variables come through the
// callbacks.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "policy/result.h"

namespace stsh::shell {

struct ArithmeticVariables {
  std::function<std::optional<std::string>(const std::string&)> get;
  std::function<Status(const std::string&, const std::string&)> set;
};

[[nodiscard]] Result<long> evaluate_arithmetic(std::string_view expression,
                                               const ArithmeticVariables& variables);

}  // namespace stsh::shell
