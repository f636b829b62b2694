#include "policy/rule_eval.h"

#include "policy/syscalls.h"

namespace stsh::policy {
namespace {

bool in_path(std::string_view value, std::string_view dir) {
  if (dir == "/") return !value.empty() && value.front() == '/';
  return value == dir || (value.size() > dir.size() && value.compare(0, dir.size(), dir) == 0 &&
                          value[dir.size()] == '/');
}

void collect_matchers(const Expr& e, std::vector<PredicateMatcher>& out) {
  if (e.kind != Expr::Kind::Pred) {
    for (const auto& c : e.children) collect_matchers(c, out);
    return;
  }
  PredicateMatcher m;
  if (e.pred.op == Op::re) {
    m.regex = std::shared_ptr<regex_t>(new regex_t, [](regex_t* r) {
      regfree(r);
      delete r;
    });
    // The loader already rejected invalid expressions, so compilation succeeds here.
    regcomp(m.regex.get(), e.pred.value.c_str(), REG_EXTENDED | REG_NOSUB);
  } else if (e.pred.op == Op::match) {
    auto set = std::make_shared<PatternSet>();
    set->add(MatchKind::glob_subtree, e.pred.value, 0);
    m.glob = std::move(set);
  }
  out.push_back(std::move(m));
}

}  // namespace

std::optional<std::string_view> operand_value(const Call& call, Operand op, int index,
                                              std::string& scratch) {
  switch (op) {
    case Operand::filename: {
      const auto& f = index == 1 ? call.filename1 : call.filename;
      if (!f) return std::nullopt;
      return std::string_view(*f);
    }
    case Operand::argv:
      if (index >= 0) {
        if (static_cast<size_t>(index) >= call.argv.size()) return std::nullopt;
        return std::string_view(call.argv[static_cast<size_t>(index)]);
      }
      if (call.argv.empty()) return std::nullopt;
      scratch.clear();
      for (const auto& a : call.argv) {
        if (!scratch.empty()) scratch += ' ';
        scratch += a;
      }
      return std::string_view(scratch);
    case Operand::sockaddr:
      if (!call.sockaddr) return std::nullopt;
      return std::string_view(*call.sockaddr);
    case Operand::oflags:
      if (!call.oflags) return std::nullopt;
      scratch = format_oflags(*call.oflags);
      return std::string_view(scratch);
    case Operand::mode:
      if (!call.mode) return std::nullopt;
      scratch = format_mode(*call.mode);
      return std::string_view(scratch);
    case Operand::uid:
    case Operand::gid: {
      const auto& v = op == Operand::uid ? call.uid : call.gid;
      if (!v) return std::nullopt;
      scratch = std::to_string(*v);
      return std::string_view(scratch);
    }
  }
  return std::nullopt;
}

bool apply_op(const Predicate& p, std::string_view value, const PredicateMatcher& m) {
  switch (p.op) {
    case Op::eq:
      return value == p.value;
    case Op::neq:
      return value != p.value;
    case Op::sub:
      return value.find(p.value) != std::string_view::npos;
    case Op::nsub:
      return value.find(p.value) == std::string_view::npos;
    case Op::inpath:
      return in_path(value, p.value);
    case Op::match:
      return m.glob->first_match(value).has_value();
    case Op::re: {
      // regexec needs a NUL-terminated subject.
      const std::string subject(value);
      return regexec(m.regex.get(), subject.c_str(), 0, nullptr, 0) == 0;
    }
  }
  return false;
}

CompiledExpr::CompiledExpr(Expr expr) : expr_(std::move(expr)) {
  collect_matchers(expr_, matchers_);
}

bool CompiledExpr::eval(const Call& call) const {
  size_t next = 0;
  return eval(expr_, call, next);
}

// Every branch is walked even when the result is known, so that predicate numbering
// (depth-first order) stays in step with collect_matchers; expressions are small.
bool CompiledExpr::eval(const Expr& e, const Call& call, size_t& next) const {
  switch (e.kind) {
    case Expr::Kind::True:
      return true;
    case Expr::Kind::Pred: {
      const PredicateMatcher& m = matchers_[next++];
      std::string scratch;
      auto value = operand_value(call, e.pred.operand, e.pred.index, scratch);
      // A predicate on an operand the call does not have is false (its negation is true).
      return value && apply_op(e.pred, *value, m);
    }
    case Expr::Kind::Not:
      return !eval(e.children[0], call, next);
    case Expr::Kind::And: {
      bool all = true;
      for (const auto& c : e.children) all = eval(c, call, next) && all;
      return all;
    }
    case Expr::Kind::Or: {
      bool any = false;
      for (const auto& c : e.children) any = eval(c, call, next) || any;
      return any;
    }
  }
  return false;
}

}  // namespace stsh::policy
