// Documents (in merge order) -> an immutable Plan, and the one-call entry points that find,
// read, check and compile a user's policy set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "policy/loader.h"
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
  // Parsed trees (policy/tree_cache.h) are read from tree_cache_dir (empty: the build-time
  // directory) and, when store_trees, written there; what happened goes to cache_report.
  std::string tree_cache_dir{};
  bool store_trees = false;
  CacheReport* cache_report = nullptr;
};

// The whole path a login takes: select, read with the trust checks, load includes, compile.
// Relative paths are taken from the current directory.
Result<std::shared_ptr<const Plan>> load_plan(const PlanRequest& request, const UserInfo& user);

}  // namespace stsh::policy
