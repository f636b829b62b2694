#include "policy/rule_eval.h"

#include "policy/glob.h"
#include "policy/syscalls.h"

namespace stsh::policy {
namespace {

bool in_path(std::string_view value, std::string_view dir) {
  if (dir == "/") return !value.empty() && value.front() == '/';
  return value == dir || (value.size() > dir.size() && value.compare(0, dir.size(), dir) == 0 &&
                          value[dir.size()] == '/');
}

void collect_regexes(const Expr& e, std::vector<std::shared_ptr<regex_t>>& out) {
  if (e.kind == Expr::Kind::Pred) {
    if (e.pred.op != Op::re) return;
    auto re = std::shared_ptr<regex_t>(new regex_t, [](regex_t* r) {
      regfree(r);
      delete r;
    });
    // The loader already rejected invalid expressions, so compilation succeeds here.
    regcomp(re.get(), e.pred.value.c_str(), REG_EXTENDED | REG_NOSUB);
    out.push_back(std::move(re));
    return;
  }
  for (const auto& c : e.children) collect_regexes(c, out);
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

bool apply_op(Op op, std::string_view value, const std::string& pattern, const regex_t* regex) {
  switch (op) {
    case Op::eq:
      return value == pattern;
    case Op::neq:
      return value != pattern;
    case Op::sub:
      return value.find(pattern) != std::string_view::npos;
    case Op::nsub:
      return value.find(pattern) == std::string_view::npos;
    case Op::inpath:
      return in_path(value, pattern);
    case Op::match:
      return glob_match(pattern, value, /*subtree=*/true);
    case Op::re: {
      // regexec needs a NUL-terminated subject.
      const std::string subject(value);
      return regexec(regex, subject.c_str(), 0, nullptr, 0) == 0;
    }
  }
  return false;
}

CompiledExpr::CompiledExpr(Expr expr) : expr_(std::move(expr)) {
  collect_regexes(expr_, regexes_);
}

bool CompiledExpr::eval(const Call& call) const {
  size_t next_regex = 0;
  return eval(expr_, call, next_regex);
}

// Every branch is walked even when the result is known, so that regex numbering (depth-first
// order) stays in step with collect_regexes; expressions are small.
bool CompiledExpr::eval(const Expr& e, const Call& call, size_t& next_regex) const {
  switch (e.kind) {
    case Expr::Kind::True:
      return true;
    case Expr::Kind::Pred: {
      const regex_t* re = e.pred.op == Op::re ? regexes_[next_regex++].get() : nullptr;
      std::string scratch;
      auto value = operand_value(call, e.pred.operand, e.pred.index, scratch);
      // A predicate on an operand the call does not have is false (its negation is true).
      return value && apply_op(e.pred.op, *value, e.pred.value, re);
    }
    case Expr::Kind::Not:
      return !eval(e.children[0], call, next_regex);
    case Expr::Kind::And: {
      bool all = true;
      for (const auto& c : e.children) all = eval(c, call, next_regex) && all;
      return all;
    }
    case Expr::Kind::Or: {
      bool any = false;
      for (const auto& c : e.children) any = eval(c, call, next_regex) || any;
      return any;
    }
  }
  return false;
}

}  // namespace stsh::policy
