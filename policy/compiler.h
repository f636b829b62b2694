// Documents (in merge order) -> an immutable Plan, and the one-call entry points that find,
// read, check and compile a user's policy set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/model.h"
#include "policy/plan.h"
#include "policy/policy_file.h"
#include "policy/user.h"

namespace stsh::policy {

Result<std::shared_ptr<const Plan>> compile_plan(std::vector<Document> docs);

struct PlanRequest {
  std::string policy_dir;  // empty: the build-time directory (or FILE's directory, see below)
  std::string file;        // empty: select users/, groups/ or default.yaml for the user
  Trust trust = Trust::login;
};

// The whole path a login takes: select, read with the trust checks, load includes, compile.
// Relative paths are taken from the current directory.
Result<std::shared_ptr<const Plan>> load_plan(const PlanRequest& request, const UserInfo& user);

}  // namespace stsh::policy
