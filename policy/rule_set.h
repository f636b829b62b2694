// Compiled `rules:` of one section, first match wins. Rules whose expression is `true` or a
// disjunction of eq/match/inpath predicates on filename, filename[1], argv or sockaddr are
// indexed in pattern automata, so finding the first of them costs the same however many there
// are; any other rule is evaluated in order, and only those written before the first indexed
// match need to be looked at.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/call.h"
#include "policy/model.h"
#include "policy/pattern_set.h"
#include "policy/rule_eval.h"

namespace stsh::policy {

struct CompiledRule {
  std::string origin;                // "file:line:col"
  std::string source;                // "fsread: filename eq \"/etc/shadow\" then deny[eperm] log"
  std::vector<AliasMember> members;  // the (syscall, access) pairs the rule applies to
  Action action;
  CompiledExpr expr;
};

class RuleSet {
 public:
  RuleSet() = default;
  explicit RuleSet(const std::vector<RuleSpec>& specs);

  // The first rule (in written order) that applies to `call`, or nullptr.
  const CompiledRule* first_match(const Call& call, Access access) const;

  size_t size() const { return rules_.size(); }
  const std::vector<CompiledRule>& rules() const { return rules_; }

 private:
  // The rules that can apply to one (syscall, access) pair.
  struct Table {
    PatternSet filename, filename1, argv, sockaddr;
    std::optional<uint32_t> first_true;  // lowest id of a rule that is `true`
    std::vector<uint32_t> general;       // ids evaluated in order, ascending
  };
  static uint32_t key(int syscall, Access access) {
    return (static_cast<uint32_t>(syscall) << 3) | static_cast<uint32_t>(access);
  }
  void index(uint32_t id, const Expr& expr, Table& table);

  std::vector<CompiledRule> rules_;
  std::unordered_map<uint32_t, Table> tables_;
};

}  // namespace stsh::policy
