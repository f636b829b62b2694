// "What would change this decision?": for a call and the Decision the Plan gave it, the rule
// or list entry nearest to deciding otherwise, and the edit that would. Used by `stsh-policy
// test` for failing steps and by `diff`. Pure functions over a Plan. (policy/suggest.h is the
// "did you mean" for misspelled words; this is its counterpart for decisions.)
#pragma once

#include <string>
#include <vector>

#include "policy/call.h"
#include "policy/plan.h"

namespace stsh::policy {

// Every rule of `policy` (its own, then the defaults') that matches `call`, in the order they
// are tried: the first is the one that decided, if a rule did.
std::vector<const CompiledRule*> matching_rules(const CommandPolicy& policy, const Call& call);

// One or more lines of advice, each "what: file:line:col ..." — the next rule or entry that
// would decide `wanted` if the deciding one were not there, or the entry to add.
std::vector<std::string> suggest_change(const Plan& plan, const CommandPolicy& policy,
                                        const Call& call, const Decision& got, Verdict wanted);

}  // namespace stsh::policy
