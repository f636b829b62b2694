// Robustness warnings for `stsh-policy check`: permissions that work in the common case and
// break in a known fallback — mv between file systems, cp -p / install setting times, owner and
// mode, editors and sed -i writing a temporary file next to the one they replace. Warnings,
// not errors: the policy is valid. Each is "file:line:col: warning: ..." at the command entry.
#pragma once

#include <string>
#include <vector>

#include "policy/plan.h"

namespace stsh::policy {

std::vector<std::string> lint_plan(const Plan& plan);

}  // namespace stsh::policy
