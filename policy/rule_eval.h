// Evaluating a rule expression against a Call: the general (non-indexed) path.
#pragma once

#include <regex.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/call.h"
#include "policy/pattern_set.h"
#include "policy/rule_ast.h"

namespace stsh::policy {

// The text value of an operand for a call, or nullopt if the syscall has no such operand.
// Numbers and flags are rendered as the policy writes them (oflags "O_WRONLY|O_CREAT",
// mode "0644", uid "1000"); `scratch` holds rendered values.
std::optional<std::string_view> operand_value(const Call& call, Operand op, int index,
                                              std::string& scratch);

// What a predicate's pattern compiles to, once: a regex for `re`, a one-pattern automaton for
// `match` (the same matcher the indexed rules use); nothing for the plain string operators.
struct PredicateMatcher {
  std::shared_ptr<regex_t> regex;
  std::shared_ptr<const PatternSet> glob;
};

// Whether `value` satisfies the predicate (eq, match, inpath, ...).
bool apply_op(const Predicate& p, std::string_view value, const PredicateMatcher& m);

// An Expr with its regular expressions compiled once.
class CompiledExpr {
 public:
  CompiledExpr() = default;
  explicit CompiledExpr(Expr expr);
  bool eval(const Call& call) const;
  const Expr& expr() const { return expr_; }

 private:
  bool eval(const Expr& e, const Call& call, size_t& next) const;
  Expr expr_;
  // One matcher per predicate, in the tree's depth-first order.
  std::vector<PredicateMatcher> matchers_;
};

}  // namespace stsh::policy
