// Finding a user's policy file and loading it with its includes, in merge order.
#pragma once

#include <string>
#include <vector>

#include "policy/loader.h"
#include "policy/model.h"
#include "policy/policy_file.h"
#include "policy/user.h"
#include "policy/variables.h"

namespace stsh::policy {

// users/NAME.yaml, else groups/GROUP.yaml (primary group first), else default.yaml. A file that
// exists but cannot be used is an error, never a reason to fall back to the next candidate.
Result<std::string> select_policy_file(const std::string& policy_dir, const UserInfo& user);

// The policy directory for an explicit --policy FILE without --policy-dir: the configured
// directory when FILE lies inside it, else FILE's own directory.
std::string policy_dir_for_file(const std::string& file, const std::string& configured_dir);

// Loads `file` and everything it includes (paths relative to policy_dir), included files first
// in the order written, each file once; include cycles and missing includes are errors.
// `cache` says where parsed trees may come from and go to (policy/tree_cache.h).
Result<std::vector<Document>> load_policy_set(const std::string& file,
                                              const std::string& policy_dir, Trust trust,
                                              const Variables& vars, const CacheUse& cache = {});

}  // namespace stsh::policy
