#include "policy/rule_set.h"

#include <algorithm>

#include "policy/compact_list.h"

namespace stsh::policy {
namespace {

bool indexable_pred(const Predicate& p) {
  const bool op_ok = p.op == Op::eq || p.op == Op::match || p.op == Op::inpath;
  const bool operand_ok = p.operand == Operand::filename || p.operand == Operand::sockaddr ||
                          (p.operand == Operand::argv && p.index < 0);
  return op_ok && operand_ok;
}

// `true`, or a disjunction whose every branch is `true` or an indexable predicate.
bool indexable(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::True:
      return true;
    case Expr::Kind::Pred:
      return indexable_pred(e.pred);
    case Expr::Kind::Or:
      return std::all_of(e.children.begin(), e.children.end(), indexable);
    default:
      return false;
  }
}

MatchKind match_kind(Op op) {
  switch (op) {
    case Op::eq:
      return MatchKind::exact;
    case Op::inpath:
      return MatchKind::prefix;
    default:
      return MatchKind::glob_subtree;
  }
}

void keep_min(std::optional<uint32_t>& best, std::optional<uint32_t> candidate) {
  if (candidate && (!best || *candidate < *best)) best = candidate;
}

}  // namespace

RuleSet::RuleSet(const std::vector<RuleSpec>& specs) {
  rules_.reserve(specs.size());
  for (const auto& spec : specs) {
    const auto id = static_cast<uint32_t>(rules_.size());
    rules_.push_back(CompiledRule{origin_text(spec.where), spec.source, spec.members,
                                  spec.parsed.action, CompiledExpr(spec.parsed.expr)});
    for (const auto& member : spec.members) {
      index(id, rules_.back().expr.expr(), tables_[key(member.nr, member.access)]);
    }
  }
}

void RuleSet::index(uint32_t id, const Expr& expr, Table& table) {
  if (!indexable(expr)) {
    table.general.push_back(id);
    return;
  }
  if (expr.kind == Expr::Kind::True) {
    keep_min(table.first_true, id);
    return;
  }
  if (expr.kind == Expr::Kind::Or) {
    for (const auto& child : expr.children) index(id, child, table);
    return;
  }
  const Predicate& p = expr.pred;
  PatternSet& set = p.operand == Operand::sockaddr ? table.sockaddr
                    : p.operand == Operand::argv   ? table.argv
                    : p.index == 1                 ? table.filename1
                                                   : table.filename;
  set.add(match_kind(p.op), p.value, id);
}

const CompiledRule* RuleSet::first_match(const Call& call, Access access) const {
  const auto it = tables_.find(key(call.syscall, access));
  if (it == tables_.end()) return nullptr;
  const Table& t = it->second;

  std::optional<uint32_t> best = t.first_true;
  if (call.filename && !t.filename.empty()) keep_min(best, t.filename.first_match(*call.filename));
  if (call.filename1 && !t.filename1.empty())
    keep_min(best, t.filename1.first_match(*call.filename1));
  if (call.sockaddr && !t.sockaddr.empty()) keep_min(best, t.sockaddr.first_match(*call.sockaddr));
  if (!call.argv.empty() && !t.argv.empty()) {
    std::string scratch;
    keep_min(best, t.argv.first_match(*operand_value(call, Operand::argv, -1, scratch)));
  }
  // Only rules written before the first indexed match can still win.
  for (uint32_t id : t.general) {
    if (best && id >= *best) break;
    if (rules_[id].expr.eval(call)) return &rules_[id];
  }
  return best ? &rules_[*best] : nullptr;
}

}  // namespace stsh::policy
