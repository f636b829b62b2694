// `stsh-policy diff OLD NEW`: both Plans decide the same operations — the steps of scenario
// files and the calls of logged violation records — and every decision that differs is listed
// with the rule that made it on each side.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "policy/plan.h"
#include "policy/record_calls.h"
#include "policy/scenario.h"

namespace stsh::policy {

struct DiffTotals {
  size_t operations = 0, changed = 0;
};

// The policy a logged call ran under in `plan`: the entry of its program, else the entry whose
// origin the record names, else the login.
const CommandPolicy& logged_policy(const Plan& plan, const LoggedCall& c);

DiffTotals diff_plans(const Plan& old_plan, const Plan& new_plan,
                      const std::vector<ScenarioFile>& scenarios,
                      const std::vector<LoggedCall>& logged, std::ostream& out);

}  // namespace stsh::policy
