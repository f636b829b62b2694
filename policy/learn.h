// stsh-policy learn: audit-mode records -> a draft policy, generalised with stated reasons,
// never widened over protected trees without saying so. The draft is text for a reviewer:
// nothing here installs or loads it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/plan.h"
#include "policy/records_in.h"

namespace stsh::policy {

// Why `path` is a protected tree (or lies in one) for a user whose home is `home`, or "":
// /etc/shadow, /etc/gshadow, /etc/ssh, /etc/sudoers, /root, other users' homes, ~/.ssh,
// ~/.gnupg, /proc/PID of other processes.
std::string protected_reason(std::string_view path, std::string_view home);

// Whether a tree rooted at `dir` would hold a protected path (so `dir/**` must not be granted).
std::string holds_protected(std::string_view dir, std::string_view home);

struct LearnInput {
  const RecordInput* records = nullptr;
  // The base policy: its commands name the entries records ran under, and what it already
  // permits is left out. Null without --policy.
  std::shared_ptr<const Plan> base;
  // The base is the administrator's (--policy): entries extend it and the draft includes it.
  // false for the throw-away policy of `learn -- CMD` without --policy.
  bool extend_base = false;
  std::string base_include;  // the base as an include path (relative to its policy directory)
  std::string policy_dir;    // for the "check it with" line
  std::string source;        // "records from FILE" / "a run of CMD", for the header
  // Home directories by user name, for $HOME (the caller looks them up).
  std::vector<std::pair<std::string, std::string>> homes;
};

struct LearnResult {
  std::string yaml;
  unsigned entries = 0;  // list entries written
};

LearnResult learn_draft(const LearnInput& in);

}  // namespace stsh::policy
