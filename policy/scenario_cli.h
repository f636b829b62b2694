// The `test` and `diff` subcommands of stsh-policy: their options, loading, output and exit
// statuses. stsh_policy_main.cc only dispatches to them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/plan.h"
#include "policy/result.h"
#include "policy/scenario.h"
#include "policy/user.h"

namespace stsh::policy {

// stsh-policy test [--user NAME] [--policy-dir DIR] [--live [--stsh-run PATH]] POLICY SCENARIOS...
int test_main(const std::vector<std::string>& args);
// stsh-policy diff [--user NAME] [--policy-dir DIR] OLD NEW [--scenarios FILE...] [--log FILE...]
int diff_main(const std::vector<std::string>& args);

// Shared by both: the policy FILE compiled for `user` (explicit-file trust, as --policy).
Result<std::shared_ptr<const Plan>> load_policy_file(const std::string& file,
                                                     const std::string& policy_dir,
                                                     const UserInfo& user);
// The ScenarioEnv for `user` and a plan: PATH from the policy's session env, else /usr/bin:/bin.
ScenarioEnv scenario_env(const UserInfo& user, const Plan& plan);
// Loads every file; the first error is printed as file:line:col and ends with false.
bool load_scenario_files(const std::vector<std::string>& paths, const ScenarioEnv& env,
                         std::vector<ScenarioFile>& out);

}  // namespace stsh::policy
