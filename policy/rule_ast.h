// The parsed form of one `rules:` entry, `<expression> then <action>`, before variables are
// expanded and patterns compiled. Pure data: copyable, movable, no pointers into the rule text.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/call.h"

namespace stsh::policy {

enum class Operand : uint8_t { filename, argv, sockaddr, oflags, mode, uid, gid };
enum class Op : uint8_t { eq, neq, match, sub, nsub, re, inpath };

// Spellings in the policy language, indexed by the enum value.
inline constexpr std::array<std::string_view, 7> kOperandNames = {
    "filename", "argv", "sockaddr", "oflags", "mode", "uid", "gid"};
inline constexpr std::array<std::string_view, 7> kOpNames = {"eq",   "neq", "match", "sub",
                                                             "nsub", "re",  "inpath"};

static_assert(kOperandNames.size() == static_cast<size_t>(Operand::gid) + 1);
static_assert(kOpNames.size() == static_cast<size_t>(Op::inpath) + 1);

constexpr std::string_view operand_name(Operand o) {
  return kOperandNames[static_cast<size_t>(o)];
}
constexpr std::string_view op_name(Op o) {
  return kOpNames[static_cast<size_t>(o)];
}

struct Predicate {
  Operand operand = Operand::filename;
  // filename: 0 (`filename`, `filename[0]`) or 1 (`filename[1]`) — always 0 or 1.
  // argv: -1 for the whole argument list joined by spaces, else N of `argv[N]` (0..4095).
  // Other operands: -1.
  int index = -1;
  Op op = Op::eq;
  std::string value;  // the string literal unescaped; variables NOT yet expanded
  // 0-based byte offsets into the rule text (the operand word, the opening quote), so later
  // stages (variable expansion, glob compilation) can point their errors at the right column.
  size_t operand_offset = 0;
  size_t value_offset = 0;
};

// A boolean expression tree. `and`/`or` chains are n-ary and flattened ("a or b or c" is one Or
// with three children), which lets the compiler find disjunctions of eq/match/inpath directly.
struct Expr {
  enum class Kind : uint8_t { True, Pred, Not, And, Or };

  Kind kind = Kind::True;
  Predicate pred;              // Kind::Pred only
  std::vector<Expr> children;  // Not: one; And/Or: two or more; otherwise none

  static Expr truth() { return Expr{}; }
  static Expr predicate(Predicate p) {
    Expr e;
    e.kind = Kind::Pred;
    e.pred = std::move(p);
    return e;
  }
  static Expr negate(Expr operand) {
    Expr e;
    e.kind = Kind::Not;
    e.children.push_back(std::move(operand));
    return e;
  }
};

struct Action {
  Verdict verdict = Verdict::deny;
  int error = 0;     // errno for deny (EPERM when written as plain `deny`); 0 otherwise
  bool log = false;  // `log` followed the action
};

struct ParsedRule {
  Expr expr;
  Action action;
};

}  // namespace stsh::policy
