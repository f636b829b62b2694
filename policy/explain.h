// What `stsh-policy explain` and `check` print: building a Call from command-line words and
// describing Decisions and Plans in words. Pure functions over a Plan.
#pragma once

#include <string>
#include <vector>

#include "policy/call.h"
#include "policy/plan.h"
#include "policy/result.h"

namespace stsh::policy {

// SYSCALL (a name or an alias: fsread, fswrite, exec, net) and ARGs (name=value or positional)
// -> a canonical Call. Paths must be absolute; they are normalized lexically.
Result<Call> call_from_words(const std::string& syscall, const std::vector<std::string>& args);

// One line per field: "openat filename=\"/etc/shadow\" oflags=O_RDONLY".
std::string describe_call(const Call& call);

// The rule or list entry a Decision names, as written in the policy, or "" for "default".
std::string decision_source(const Plan& plan, const CommandPolicy& policy, const Decision& d);

// The summary `check` prints for a valid policy set.
std::string summarize(const Plan& plan);

}  // namespace stsh::policy
