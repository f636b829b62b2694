#include "policy/decision_suggest.h"

#include <algorithm>

#include "policy/explain.h"
#include "policy/rule_parser.h"
#include "policy/syscalls.h"

namespace stsh::policy {
namespace {

std::string where_of(const CommandPolicy& policy) {
  return policy.is_login() ? "defaults (the login)"
                           : policy.key() + " (" + std::string(policy.origin()) + ")";
}

size_t common_prefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

// The list that governs an access, its key in the policy language.
const CompactList* list_for(const CommandPolicy& p, Access a, std::string_view& key) {
  switch (a) {
    case Access::read:
      key = "read";
      return &p.read();
    case Access::write:
      key = "write";
      return &p.write();
    case Access::exec:
      key = "exec";
      return &p.exec();
    case Access::connect:
      key = "connect";
      return &p.connect();
    case Access::bind:
      key = "bind";
      return &p.bind();
    case Access::none:
      break;
  }
  return nullptr;
}

// The alias a rule would be written with for this call: fsread/fswrite for the file calls.
std::string rule_target(const Call& call) {
  const Access a = access_of(call.syscall, call.oflags);
  if (a == Access::read) return "fsread";
  if (a == Access::write) return "fswrite";
  return syscall_name(call.syscall);
}

std::string rule_for(const Call& call, Verdict wanted) {
  std::string pred = "true";
  if (call.filename)
    pred = "filename eq \"" + *call.filename + "\"";
  else if (call.sockaddr)
    pred = "sockaddr eq \"" + *call.sockaddr + "\"";
  return "- " + rule_target(call) + ": " + pred + " then " +
         (wanted == Verdict::permit ? "permit"
          : wanted == Verdict::kill ? "kill"
                                    : "deny[eacces] log");
}

}  // namespace

std::vector<const CompiledRule*> matching_rules(const CommandPolicy& policy, const Call& call) {
  const Access access = access_of(call.syscall, call.oflags);
  std::vector<const CompiledRule*> out;
  for (const RuleSet* rs : {&policy.own_rules(), &policy.default_rules()}) {
    for (const auto& r : rs->rules()) {
      const bool applies = std::any_of(
          r.members.begin(), r.members.end(),
          [&](const AliasMember& m) { return m.nr == call.syscall && m.access == access; });
      if (applies && r.expr.eval(call)) out.push_back(&r);
    }
  }
  return out;
}

std::vector<std::string> suggest_change(const Plan& plan, const CommandPolicy& policy,
                                        const Call& call, const Decision& got, Verdict wanted) {
  std::vector<std::string> out;
  const auto rules = matching_rules(policy, call);
  const bool by_rule = !rules.empty() && rules.front()->origin == got.rule;
  // The next matching rule with the wanted verdict: what would decide if the first went.
  for (size_t i = by_rule ? 1 : 0; by_rule && i < rules.size(); ++i) {
    if (rules[i]->action.verdict == wanted) {
      out.push_back("nearest rule: " + rules[i]->origin + ": " + rules[i]->source +
                    " (would decide " + format_action(rules[i]->action) + " without " +
                    std::string(got.rule) + ")");
      break;
    }
  }
  if (by_rule) {
    out.push_back("to change: edit or remove the rule at " + std::string(got.rule) +
                  ", or add before it in " + where_of(policy) + ":  " + rule_for(call, wanted));
    return out;
  }
  std::string_view key;
  const CompactList* list = list_for(policy, access_of(call.syscall, call.oflags), key);
  if (wanted == Verdict::permit) {
    // Denied by default: the nearest entry of the list that governs the call.
    const std::string target = call.filename ? *call.filename : call.sockaddr.value_or("");
    if (list != nullptr && !target.empty()) {
      size_t best = 0;
      const Entry* nearest = nullptr;
      for (const auto& e : list->entries()) {
        const size_t n = common_prefix(e.text, target);
        if (n > best) best = n, nearest = &e;
      }
      if (nearest != nullptr) {
        out.push_back("nearest entry: " + origin_text(nearest->where) + ": " + std::string(key) +
                      " entry " + nearest->text + " (does not match " + target + ")");
      }
      if (key == "exec" && policy.is_login()) {
        out.push_back("to change: add a command entry  " + target + ": {}");
      } else {
        // A list the entry inherits is the defaults' one: a list key in the entry would replace
        // it, so the advice is a rule there, or the entry in defaults.
        std::string_view login_key;
        const bool inherited =
            !policy.is_login() &&
            list == list_for(plan.login(), access_of(call.syscall, call.oflags), login_key);
        if (inherited) {
          out.push_back("to change: add a rule to " + where_of(policy) + ":  " +
                        rule_for(call, Verdict::permit) + "  (its '" + std::string(key) +
                        ":' is the defaults' list; adding " + target +
                        " there grants every command)");
        } else {
          out.push_back("to change: add " + target + " to '" + std::string(key) + ":' of " +
                        where_of(policy) + ", or a rule:  " + rule_for(call, Verdict::permit));
        }
      }
    } else {
      out.push_back("to change: add a rule to " + where_of(policy) + ":  " +
                    rule_for(call, Verdict::permit));
    }
    return out;
  }
  // Permitted by a list entry (or a command key): only a rule can take it back.
  out.push_back("to change: add to the rules of " + where_of(policy) + ":  " +
                rule_for(call, wanted));
  return out;
}

}  // namespace stsh::policy
